import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Group, StateTransferProgress } from '@gridcloud/vsync';
import { InjectGroup, messageHandlerId } from '@gridcloud/nest-vsync';

export const DICTIONARY_GROUP = 'dict';
/** Handler ids by message name, as @gridcloud/nest-vsync maps them. */
export const UPDATE_ID = messageHandlerId('update');
export const LOOKUP_ID = messageHandlerId('lookup');
export const STORE_SETTINGS = Symbol('DictionaryStoreSettings');

export interface DictionaryStoreSettings {
  /** Bytes of fixed ballast carried in the state, so a transfer is large enough to be interrupted. */
  readonly ballastBytes: number;
  /** Milliseconds the loading side waits per MiB taken, to stretch a transfer in time. */
  readonly loadDelayMsPerMib: number;
  readonly onProgress: (progress: StateTransferProgress) => void;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * The replicated dictionary of the Isis2 examples as a NestJS provider: UPDATE(name, value) arrives in total order,
 * LOOKUP(name) answers queries. Both are plain group handlers, run synchronously at delivery: an @EventPattern
 * handler runs a few microtasks after its delivery, so a LOOKUP answered at delivery could overtake the UPDATEs just
 * before it in the total order. The state is the entries, the number of updates applied and
 * a hash chain over them in order, so two replicas that applied different sequences never look alike. It registers
 * state transfer on the group before VsyncServer joins it.
 */
@Injectable()
export class DictionaryStore implements OnModuleInit {
  entries = new Map<string, string>();
  applied = 0;
  chain = '';
  private readonly ballast: Buffer;

  constructor(
    @InjectGroup(DICTIONARY_GROUP) private readonly group: Group,
    @Inject(STORE_SETTINGS) private readonly settings: DictionaryStoreSettings,
  ) {
    this.ballast = Buffer.alloc(settings.ballastBytes, 0x5a);
  }

  onModuleInit(): void {
    this.group.handle(UPDATE_ID, (name: string, value: string) => this.update(name, value));
    this.group.handle(LOOKUP_ID, (name: string) => this.entries.get(name) ?? null);
    this.group.stateTransfer({
      makeCheckpoint: () => this.checkpoint(),
      loadCheckpoint: (chunks) => this.load(chunks),
      onProgress: this.settings.onProgress,
      receiveQueueBytes: CHUNK_BYTES,
    });
  }

  update(name: string, value: string): void {
    this.entries.set(name, value);
    this.applied += 1;
    this.chain = createHash('sha256').update(`${this.chain}|${name}=${value}`).digest('hex').slice(0, 16);
  }

  summary(): { applied: number; chain: string; entries: number } {
    return { applied: this.applied, chain: this.chain, entries: this.entries.size };
  }

  /** The header (JSON, sorted entries) is serialized at the call, so later updates cannot leak into it; the ballast
   *  never changes, so its chunks are views of it. */
  private checkpoint(): Uint8Array[] {
    const header = Buffer.from(
      JSON.stringify({ applied: this.applied, chain: this.chain, entries: [...this.entries].sort() }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    const chunks: Uint8Array[] = [Buffer.concat([length, header])];
    for (let at = 0; at < this.ballast.length; at += CHUNK_BYTES)
      chunks.push(this.ballast.subarray(at, at + CHUNK_BYTES));
    return chunks;
  }

  private async load(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const parts: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of chunks) {
      parts.push(Buffer.from(chunk));
      bytes += chunk.length;
      if (this.settings.loadDelayMsPerMib > 0)
        await new Promise((resolve) =>
          setTimeout(resolve, (chunk.length / CHUNK_BYTES) * this.settings.loadDelayMsPerMib),
        );
    }
    const all = Buffer.concat(parts, bytes);
    const headerBytes = all.readUInt32BE(0);
    const state = JSON.parse(all.toString('utf8', 4, 4 + headerBytes)) as {
      applied: number;
      chain: string;
      entries: [string, string][];
    };
    this.entries = new Map(state.entries);
    this.applied = state.applied;
    this.chain = state.chain;
  }
}

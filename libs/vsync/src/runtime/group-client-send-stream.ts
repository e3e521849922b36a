import { processKey, type ProcessId } from '../protocol';
import { NoRepresentativeError } from './errors/no-representative-error';
import { VsyncOptionsError } from './errors/vsync-options-error';

/** What the stream needs of its GroupClient: a representative to try, and one call through it. */
export interface SendRoute {
  readonly group: string;
  readonly maxAttempts: number;
  choose(tried: ReadonlySet<string>): Promise<ProcessId>;
  /** One relayed send of (seq, handlerId, args) through rep: false when the representative failed. */
  relay(rep: ProcessId, seq: number, handlerId: number, args: unknown[]): Promise<boolean>;
  dropRepresentative(rep: ProcessId): void;
}

interface QueuedSend {
  readonly seq: number;
  readonly handlerId: number;
  readonly args: unknown[];
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A GroupClient's sends, numbered 1, 2, 3... and relayed in that order, pipelined, through one representative. When
 * it fails, every unanswered send and the last `failoverReplayCount` answered ones are relayed again, in order,
 * through the next: the members' per-client sequence numbers (ClientSequences) drop those already delivered, so a
 * send answered by a representative that crashed before any survivor received it is not lost either (within the
 * replayed window), and none is delivered twice.
 */
export class ClientSendStream {
  private nextSeq = 1;
  private readonly queue: QueuedSend[] = [];
  private readonly answered: QueuedSend[] = [];
  private pumping = false;
  /** Sends relayed again after failovers, answered sends included. */
  replayed = 0;
  failovers = 0;

  constructor(
    private readonly route: SendRoute,
    private readonly maxQueuedSends: number,
    private readonly failoverReplayCount: number,
  ) {}

  send(handlerId: number, args: unknown[]): Promise<void> {
    if (this.queue.length >= this.maxQueuedSends)
      return Promise.reject(
        new VsyncOptionsError(
          'maxQueuedSends',
          `${this.maxQueuedSends} sends of group "${this.route.group}" wait already`,
        ),
      );
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ seq: this.nextSeq++, handlerId, args, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    const tried = new Set<string>();
    let replay: QueuedSend[] = [];
    try {
      while (this.queue.length > 0) {
        const rep = await this.route.choose(tried);
        const batch = [...replay, ...this.queue.slice(0, this.maxQueuedSends)];
        const ok = await Promise.all(batch.map((s) => this.route.relay(rep, s.seq, s.handlerId, s.args)));
        this.settle(batch, ok);
        replay = [];
        if (ok.every(Boolean)) {
          tried.clear();
          continue;
        }
        this.failovers += 1;
        this.route.dropRepresentative(rep);
        tried.add(processKey(rep));
        if (tried.size >= this.route.maxAttempts)
          this.rejectAll(`${tried.size} representatives failed in turn`);
        replay = [...this.answered];
        this.replayed += replay.length;
      }
    } catch (error) {
      this.rejectAll((error as Error).message);
    } finally {
      this.pumping = false;
    }
  }

  /** Answered sends resolve and stay replayable (the newest failoverReplayCount); the others stay queued. */
  private settle(batch: readonly QueuedSend[], ok: readonly boolean[]): void {
    batch.forEach((s, i) => {
      if (!ok[i] || !this.queue.includes(s)) return;
      this.queue.splice(this.queue.indexOf(s), 1);
      s.resolve();
      this.answered.push(s);
    });
    this.answered.splice(0, Math.max(0, this.answered.length - this.failoverReplayCount));
  }

  private rejectAll(detail: string): void {
    const error = new NoRepresentativeError(this.route.group, detail);
    for (const s of this.queue.splice(0)) s.reject(error);
  }
}

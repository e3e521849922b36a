import { VsyncOptionsError } from './errors/vsync-options-error';

/** The handler id of a client's send as its representative multicasts it: [client, seq, handlerId, args]. */
export const CLIENT_SEQUENCED_HANDLER_ID = 0xffff_fffc;

/** Client streams a member remembers, at most; past it the stream updated longest ago is forgotten. */
export const MAX_CLIENT_STREAMS = 4_096;

export interface SequencedCall {
  readonly handlerId: number;
  readonly args: unknown[];
}

/**
 * The highest sequence number delivered per GroupClient, as one member saw it. Every member delivers a
 * representative's multicasts in FIFO order and, by view synchrony, the same ones in a view, so each member's table
 * drops the same repeats: a send re-issued by a new representative after a failover, or one a slow representative
 * multicasts after the client moved on, is delivered once.
 */
export class ClientSequences {
  private readonly last = new Map<string, number>();

  constructor(private readonly maxStreams = MAX_CLIENT_STREAMS) {}

  /** Whether `seq` of `client` was not delivered here yet (a representative skips the multicast when it was). */
  isNew(client: string, seq: number): boolean {
    return seq > (this.last.get(client) ?? 0);
  }

  /** The call inside a sequenced multicast, or undefined when this member delivered it already. */
  accept(wrapped: readonly unknown[]): SequencedCall | undefined {
    const [client, seq, handlerId, args] = wrapped;
    if (
      typeof client !== 'string' ||
      !Number.isInteger(seq) ||
      typeof handlerId !== 'number' ||
      !Array.isArray(args)
    )
      throw new VsyncOptionsError('GroupClient send', 'expects [client, seq, handlerId, args]');
    if (!this.isNew(client, seq as number)) return undefined;
    this.last.delete(client);
    this.last.set(client, seq as number);
    if (this.last.size > this.maxStreams) this.last.delete(this.last.keys().next().value as string);
    return { handlerId, args: args as unknown[] };
  }
}

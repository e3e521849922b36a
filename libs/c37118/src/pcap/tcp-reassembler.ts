import { C37ConfigError } from '../errors/config-error';

export interface TcpReassemblerOptions {
  /** Most payload bytes held while waiting for a missing segment; past it the hole is declared a gap. */
  readonly maxOutOfOrderBytes: number;
  /** Shared by the reassemblers of one capture, so thousands of flows cannot each hold their own maximum. */
  readonly heldBytes?: HeldBytesBudget;
}

/** Out-of-order bytes held by several reassemblers together, at most `maxBytes`. */
export class HeldBytesBudget {
  usedBytes = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0)
      throw new C37ConfigError(`a held-bytes budget must be a non-negative integer, got ${String(maxBytes)}`);
  }
}

export interface TcpStreamSink {
  data(bytes: Uint8Array): void;
  /** Bytes before this point were never captured. */
  gap(missingBytes: number): void;
  /** A whole segment whose bytes were all delivered before (a retransmission); not part of the stream. */
  retransmission?(bytes: Uint8Array): void;
}

export interface TcpReassemblyCounters {
  segments: number;
  retransmittedBytes: number;
  outOfOrderSegments: number;
  gaps: number;
  gapBytes: number;
}

/**
 * Rebuilds one direction of a TCP connection from captured segments, in
 * sequence order: retransmitted and overlapping bytes are delivered once,
 * early segments wait (bounded) for the missing ones, and a hole that never
 * fills is reported as a gap so the frame decoder can resynchronise.
 * Sequence numbers are compared modulo 2^32.
 */
export class TcpReassembler {
  readonly counters: TcpReassemblyCounters = {
    segments: 0,
    retransmittedBytes: 0,
    outOfOrderSegments: 0,
    gaps: 0,
    gapBytes: 0,
  };
  private nextSeq: number | undefined;
  private readonly pending = new Map<number, Uint8Array>();
  private pendingBytes = 0;

  constructor(
    private readonly options: TcpReassemblerOptions,
    private readonly sink: TcpStreamSink,
  ) {
    if (!Number.isInteger(options.maxOutOfOrderBytes) || options.maxOutOfOrderBytes < 0) {
      throw new C37ConfigError(
        `maxOutOfOrderBytes must be a non-negative integer, got ${String(options.maxOutOfOrderBytes)}`,
      );
    }
  }

  segment(seq: number, syn: boolean, payload: Uint8Array): void {
    this.counters.segments += 1;
    if (syn) {
      // The SYN consumes one sequence number; data (if any) starts after it.
      if (this.nextSeq === undefined) this.nextSeq = (seq + 1) >>> 0;
      seq = (seq + 1) >>> 0;
    }
    if (payload.length === 0) return;
    if (this.nextSeq === undefined) this.nextSeq = seq;
    const ahead = (seq - this.nextSeq) | 0;
    if (ahead > 0) {
      this.hold(seq, payload);
      return;
    }
    this.deliverFrom(seq, payload);
    this.drain();
  }

  /** End of capture: whatever still waits is delivered after declaring the holes before it. */
  finish(): void {
    while (this.pending.size > 0) this.skipToEarliest();
  }

  private hold(seq: number, payload: Uint8Array): void {
    this.counters.outOfOrderSegments += 1;
    const held = this.pending.get(seq);
    if (held === undefined || held.length < payload.length) {
      this.account(payload.length - (held?.length ?? 0));
      this.pending.set(seq, payload);
    }
    // The shared budget was within bounds before this segment, so emptying this flow always restores it.
    while (this.overBudget() && this.pending.size > 0) this.skipToEarliest();
  }

  private overBudget(): boolean {
    const shared = this.options.heldBytes;
    return (
      this.pendingBytes > this.options.maxOutOfOrderBytes ||
      (shared !== undefined && shared.usedBytes > shared.maxBytes)
    );
  }

  private account(deltaBytes: number): void {
    this.pendingBytes += deltaBytes;
    if (this.options.heldBytes !== undefined) this.options.heldBytes.usedBytes += deltaBytes;
  }

  /** Delivers the part of [seq, seq + len) not yet delivered. */
  private deliverFrom(seq: number, payload: Uint8Array): void {
    const next = this.nextSeq as number;
    const overlap = (next - seq) | 0;
    if (overlap >= payload.length) {
      this.counters.retransmittedBytes += payload.length;
      this.sink.retransmission?.(payload);
      return;
    }
    this.counters.retransmittedBytes += Math.max(0, overlap);
    const fresh = overlap > 0 ? payload.subarray(overlap) : payload;
    this.nextSeq = (next + fresh.length) >>> 0;
    this.sink.data(fresh);
  }

  private drain(): void {
    let progressed = true;
    while (progressed && this.pending.size > 0) {
      progressed = false;
      for (const [seq, payload] of this.pending) {
        if (((seq - (this.nextSeq as number)) | 0) > 0) continue;
        this.pending.delete(seq);
        this.account(-payload.length);
        this.deliverFrom(seq, payload);
        progressed = true;
      }
    }
  }

  private skipToEarliest(): void {
    const next = this.nextSeq as number;
    let earliest: number | undefined;
    for (const seq of this.pending.keys()) {
      if (earliest === undefined || ((seq - earliest) | 0) < 0) earliest = seq;
    }
    if (earliest === undefined) return;
    const missing = (earliest - next) | 0;
    if (missing > 0) {
      this.counters.gaps += 1;
      this.counters.gapBytes += missing;
      this.sink.gap(missing);
      this.nextSeq = earliest;
    }
    this.drain();
  }
}

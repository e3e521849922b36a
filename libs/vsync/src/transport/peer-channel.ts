import assert from 'node:assert/strict';
import type { Connection } from './connection';
import { batchedSizeBytes, encodeDataFrame, type OutgoingMessage } from './frame-format';
import type { TransportConfig } from './transport-config';
import type { TransportStats } from './transport-stats';

/**
 * Everything this process keeps for one remote address: the connection that carries outgoing data, the bounded
 * queue of messages waiting for it, batching, and reconnection with capped exponential backoff.
 *
 * One connection per peer pair: if both processes dial each other at once, the connection dialed by the
 * smaller address wins on both sides. The loser's dialer ends it gracefully, so bytes already written on it
 * are still read by the other side.
 */
export class PeerChannel {
  private active: Connection | undefined;
  /** Ready connections the peer dialed that lost a tie-break; one takes over if the active connection closes. */
  private readonly standby = new Set<Connection>();
  private dialing: Connection | undefined;
  private readonly queue: OutgoingMessage[] = [];
  private queuedBytes = 0;
  private failedDials = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private awaitingDrain = false;
  private closed = false;

  constructor(
    readonly address: string,
    private readonly selfAddress: string,
    private readonly config: TransportConfig,
    private readonly stats: TransportStats,
    private readonly dial: (address: string) => Connection,
    /** Bytes queued over every channel of the transport, bounded by maxQueuedBytesTotal. */
    private readonly queuedTotal: { usedBytes: number },
  ) {}

  /** Queues a message; returns false (and counts it) when the queue for this peer is full. */
  enqueue(message: OutgoingMessage): boolean {
    if (this.closed) throw new Error(`enqueue on the closed channel to ${this.address}`);
    const size = batchedSizeBytes(message);
    if (this.queuedBytes + size > this.config.maxQueuedBytesPerPeer) {
      this.stats.droppedQueueFull += 1;
      return false;
    }
    if (this.queuedTotal.usedBytes + size > this.config.maxQueuedBytesTotal) {
      this.stats.droppedQueueTotalFull += 1;
      return false;
    }
    this.queue.push(message);
    this.queuedBytes += size;
    this.queuedTotal.usedBytes += size;
    if (this.active === undefined) this.ensureDialing();
    else this.scheduleFlush();
    return true;
  }

  /** A connection to this peer became ready (ours after connecting, or theirs after its hello). */
  adopt(connection: Connection): void {
    assert.equal(connection.peerAddress, this.address, 'a channel adopts only connections to its own peer');
    if (this.closed) return connection.destroy();
    if (connection === this.dialing) {
      this.dialing = undefined;
      this.failedDials = 0;
    }
    const current = this.active;
    if (current === undefined || current === connection) {
      this.active = connection;
    } else if (current.dialerAddress() === connection.dialerAddress()) {
      // Two connections from the same dialer: the older belongs to an earlier attempt, often of a dead incarnation.
      this.active = connection;
      current.destroy();
    } else if (connection.dialerAddress() === this.winningDialer()) {
      this.active = connection;
      this.retire(current);
    } else {
      this.retire(connection);
    }
    this.awaitingDrain = false;
    this.scheduleFlush();
  }

  /** A connection to this peer closed; if it carried our data and more is queued, reconnect. */
  release(connection: Connection): void {
    if (connection === this.dialing) {
      this.dialing = undefined;
      if (!connection.isReady()) this.onDialFailed();
    }
    this.standby.delete(connection);
    if (connection !== this.active) return;
    this.active = undefined;
    this.awaitingDrain = false;
    // A connection the peer dialed and still holds open carries on, so a link whose newer connection was refused
    // (or lost) does not wait for a redial the other side may never make.
    const next = [...this.standby].find((c) => c.isReady());
    if (next !== undefined && !this.closed) {
      this.standby.delete(next);
      this.active = next;
      return this.scheduleFlush();
    }
    if (!this.closed && this.queue.length > 0) this.ensureDialing();
  }

  onDrain(connection: Connection): void {
    if (connection !== this.active) return;
    this.awaitingDrain = false;
    this.flush();
  }

  /** Cuts the channel: closes every connection of this channel and discards what is queued. */
  close(): void {
    this.closed = true;
    this.stats.droppedOnDisconnect += this.queue.length;
    this.queue.length = 0;
    this.queuedTotal.usedBytes -= this.queuedBytes;
    this.queuedBytes = 0;
    clearTimeout(this.reconnectTimer);
    this.clearFlushTimer();
    for (const connection of this.standby) connection.destroy();
    this.standby.clear();
    this.active?.destroy();
    this.dialing?.destroy();
    this.active = undefined;
    this.dialing = undefined;
  }

  /** Dials the peer now unless a dial is under way, even while waiting out a reconnection delay: a claim of this
   *  address is verified over a connection this process dialed. */
  dialNow(): void {
    if (this.closed || this.dialing !== undefined) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.ensureDialing();
  }

  /** Whether the channel holds no connection, no queued message and no pending redial. */
  isIdle(): boolean {
    return (
      this.active === undefined &&
      this.dialing === undefined &&
      this.standby.size === 0 &&
      this.queue.length === 0 &&
      this.reconnectTimer === undefined
    );
  }

  /** The tie-break between simultaneous dials: both sides keep the connection dialed by the smaller address. */
  private winningDialer(): string {
    return this.selfAddress < this.address ? this.selfAddress : this.address;
  }

  /** Only the dialer of a losing connection ends it; the acceptor keeps reading until then so nothing is lost, and
   *  keeps it as a standby should the winner close first. */
  private retire(connection: Connection): void {
    if (connection.direction === 'outbound') connection.end();
    else this.standby.add(connection);
  }

  private ensureDialing(): void {
    if (this.closed || this.dialing !== undefined || this.reconnectTimer !== undefined) return;
    this.dialing = this.dial(this.address);
  }

  private onDialFailed(): void {
    this.stats.dialFailures += 1;
    this.failedDials += 1;
    if (this.closed || this.queue.length === 0) return;
    const delayMs = Math.min(
      this.config.reconnectMaxDelayMs,
      this.config.reconnectInitialDelayMs * 2 ** Math.min(this.failedDials - 1, 30),
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.active === undefined && this.queue.length > 0) this.ensureDialing();
    }, delayMs);
  }

  private scheduleFlush(): void {
    if (this.active === undefined || this.awaitingDrain) return;
    // A full batch leaves at once, even with a flush already scheduled: a sender that issues many multicasts
    // without yielding (a microtask chain) would otherwise hold its whole window back until the loop turns, and the
    // receivers would sit idle while it fills, then it while they catch up.
    if (this.queuedBytes >= this.config.maxBatchBytes) return this.flush();
    if (this.flushTimer !== undefined) return;
    const run = (): void => {
      this.flushTimer = undefined;
      this.flush();
    };
    this.flushTimer =
      this.config.flushDelayMs === 0 ? setImmediate(run) : setTimeout(run, this.config.flushDelayMs);
  }

  private clearFlushTimer(): void {
    if (this.flushTimer === undefined) return;
    clearTimeout(this.flushTimer as NodeJS.Timeout);
    clearImmediate(this.flushTimer as NodeJS.Immediate);
    this.flushTimer = undefined;
  }

  /** Writes queued messages as frames of at most maxBatchBytes until the queue is empty or the socket pushes back. */
  private flush(): void {
    this.clearFlushTimer();
    const connection = this.active;
    while (connection !== undefined && connection.isReady() && !this.awaitingDrain && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (!connection.write(encodeDataFrame(batch), batch.length)) this.awaitingDrain = true;
    }
  }

  private takeBatch(): OutgoingMessage[] {
    let bodyBytes = batchedSizeBytes(this.queue[0]);
    let count = 1;
    while (
      count < this.queue.length &&
      bodyBytes + batchedSizeBytes(this.queue[count]) <= this.config.maxBatchBytes
    ) {
      bodyBytes += batchedSizeBytes(this.queue[count]);
      count += 1;
    }
    const batch = this.queue.splice(0, count);
    for (const message of batch) this.queuedBytes -= batchedSizeBytes(message);
    this.queuedTotal.usedBytes -= bodyBytes;
    assert.ok(
      this.queuedBytes >= 0 && (this.queuedBytes === 0) === (this.queue.length === 0),
      'queued byte count drifted',
    );
    return batch;
  }
}

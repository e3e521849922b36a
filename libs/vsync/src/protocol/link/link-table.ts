import type { CoreOutput } from '../core-io';
import { type ProcessId, sameProcess } from '../process-id';
import type { WireBody, WireMessage } from '../wire-message';
import { bodySizeBytes } from './body-size';
import { PeerLink } from './peer-link';

const address = (p: ProcessId): string => p.address;

/** Retransmissions per link per tick, so a long backlog cannot flood one step's output. */
const RETRANSMIT_BATCH_MESSAGES = 512;

export interface LinkBounds {
  readonly retransmitIntervalMs: number;
  readonly linkBufferMessages: number;
  /** Bytes of out-of-order messages one link holds. */
  readonly linkReorderBytes: number;
  /** Bytes of out-of-order messages all links together hold. */
  readonly linkReorderBytesTotal: number;
}

/** All reliable links of one process, keyed by peer address; a newer incarnation of a peer replaces the old link. */
export class LinkTable {
  private readonly links = new Map<string, PeerLink>();
  private retransmitted = 0;
  /** Bytes held in the reorder buffers of all links. */
  private reorderedBytes = 0;
  private droppedOutOfOrder = 0;

  constructor(
    private readonly self: ProcessId,
    private readonly bounds: LinkBounds,
  ) {}

  peerAt(address: string): ProcessId | undefined {
    return this.links.get(address)?.peer;
  }

  lastHeardMs(p: ProcessId): number | undefined {
    const link = this.links.get(p.address);
    return link && sameProcess(link.peer, p) ? link.lastHeardMs : undefined;
  }

  /** Sends reliably; returns false when the link is hopelessly behind (the caller should suspect the peer). */
  sendReliable(to: ProcessId, body: WireBody, nowMs: number, out: CoreOutput[]): boolean {
    const link = this.linkFor(to, nowMs);
    if (!link) return true;
    if (link.unackedCount >= this.bounds.linkBufferMessages) return false;
    const seq = link.enqueue(body);
    if (link.unackedCount === 1) link.lastRetransmitMs = nowMs;
    out.push({ type: 'send', toAddress: to.address, message: this.envelope(link, seq, body) });
    return true;
  }

  /** Sends once with no retransmission (heartbeats, bootstrap requests); `to` may be a bare address. */
  sendUnreliable(to: ProcessId | string, body: WireBody, out: CoreOutput[]): void {
    const address = typeof to === 'string' ? to : to.address;
    const link = this.links.get(address);
    const known = link && (typeof to === 'string' || sameProcess(link.peer, to)) ? link : undefined;
    const message: WireMessage = {
      from: this.self,
      toIncarnation: typeof to === 'string' ? (known?.peer.incarnation ?? 0) : to.incarnation,
      linkSeq: 0,
      linkAck: known ? known.receivedUpTo : 0,
      body,
    };
    if (known) known.ackOwed = false;
    out.push({ type: 'send', toAddress: address, message });
  }

  /** Feeds one received message through its link; returns the bodies to process now, in order. */
  receive(message: WireMessage, nowMs: number): WireBody[] {
    if (message.toIncarnation !== 0 && message.toIncarnation !== this.self.incarnation) return [];
    const link = this.linkFor(message.from, nowMs);
    if (!link) return [];
    link.lastHeardMs = nowMs;
    link.acknowledge(message.linkAck, nowMs);
    if (message.linkSeq === 0) return [message.body];
    const heldBefore = link.outOfOrderBytes;
    const droppedBefore = link.droppedOutOfOrder;
    const roomBytes = Math.min(
      this.bounds.linkReorderBytes - heldBefore,
      this.bounds.linkReorderBytesTotal - this.reorderedBytes,
    );
    const bytes = message.linkSeq > link.receivedUpTo + 1 ? bodySizeBytes(message.body) : 0;
    const ready = link.accept(
      message.linkSeq,
      message.body,
      this.bounds.linkBufferMessages,
      bytes,
      roomBytes,
    );
    this.reorderedBytes += link.outOfOrderBytes - heldBefore;
    this.droppedOutOfOrder += link.droppedOutOfOrder - droppedBefore;
    return ready;
  }

  /** Out-of-order messages dropped for want of reorder-buffer bytes, since this table was created. */
  get droppedOutOfOrderMessages(): number {
    return this.droppedOutOfOrder;
  }

  /** Messages sent again because their acknowledgement was overdue, since this table was created. */
  get retransmittedMessages(): number {
    return this.retransmitted;
  }

  /** Retransmits what is overdue and acknowledges what nobody piggybacked an ack on. */
  tick(nowMs: number, out: CoreOutput[]): void {
    for (const link of this.links.values()) {
      if (link.unackedCount > 0 && nowMs - link.lastRetransmitMs >= this.bounds.retransmitIntervalMs) {
        link.lastRetransmitMs = nowMs;
        for (const u of link.pendingRetransmission(RETRANSMIT_BATCH_MESSAGES)) {
          this.retransmitted += 1;
          out.push({
            type: 'send',
            toAddress: link.peer.address,
            message: this.envelope(link, u.seq, u.body),
          });
        }
      }
      if (link.ackOwed) this.sendUnreliable(link.peer, { kind: 'linkAck' }, out);
    }
  }

  /** Forgets a peer (excluded or long gone); returns true if a link existed. */
  drop(p: ProcessId): boolean {
    const link = this.links.get(p.address);
    if (!link || link.peer.incarnation > p.incarnation) return false;
    this.forgetLink(address(p), link);
    return true;
  }

  /** Links to processes that are neither wanted nor heard from for a long time are forgotten, bounding the table. */
  collectIdle(keep: (p: ProcessId) => boolean, idleMs: number, nowMs: number): ProcessId[] {
    const dropped: ProcessId[] = [];
    for (const [address, link] of this.links) {
      if (!keep(link.peer) && nowMs - link.lastHeardMs > idleMs) {
        this.forgetLink(address, link);
        dropped.push(link.peer);
      }
    }
    return dropped;
  }

  private linkFor(p: ProcessId, nowMs: number): PeerLink | undefined {
    const link = this.links.get(p.address);
    if (link && link.peer.incarnation === p.incarnation) return link;
    if (link && link.peer.incarnation > p.incarnation) return undefined;
    // A new incarnation at this address: everything queued for the old one is meant for the dead, so it goes.
    if (link) this.forgetLink(p.address, link);
    const fresh = new PeerLink(p, nowMs);
    this.links.set(p.address, fresh);
    return fresh;
  }

  private forgetLink(at: string, link: PeerLink): void {
    this.reorderedBytes -= link.outOfOrderBytes;
    this.links.delete(at);
  }

  private envelope(link: PeerLink, seq: number, body: WireBody): WireMessage {
    link.ackOwed = false;
    return {
      from: this.self,
      toIncarnation: link.peer.incarnation,
      linkSeq: seq,
      linkAck: link.receivedUpTo,
      body,
    };
  }
}

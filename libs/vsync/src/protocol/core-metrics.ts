/** Read-only figures of one process core for monitoring (e.g. /metrics); no protocol decision depends on them. */
export interface CoreMetrics {
  /** Members this process came to suspect, by its own timeout or a member's report; each counted once per view. */
  readonly suspicions: number;
  /** Link messages sent again because their acknowledgement was overdue. */
  readonly retransmittedMessages: number;
  /** Views installed as a member of the previous view, i.e. after a flush. */
  readonly viewChanges: number;
  /** Sum and latest value of the flush time: from this process's first flush promise in a view to the install of
   *  the next view. */
  readonly flushMsTotal: number;
  readonly lastFlushMs: number;
  /** Multicasts waiting for room in their group's send window, over all groups, right now. */
  readonly sendQueueMessages: number;
  /** Messages refused because their sender was not entitled to send them (gms/entitlement.ts): a non-member's
   *  exclusion, commit or vote, a flush under another leader's ballot. */
  readonly refusedMessages: number;
  /** Received messages dropped because a byte bound was reached: out of order on a link (linkReorderBytes), or of a
   *  view not installed yet (futureBufferBytesPerPeer, futureBufferBytes). */
  readonly droppedBufferedMessages: number;
}

export const EMPTY_CORE_METRICS: CoreMetrics = {
  suspicions: 0,
  retransmittedMessages: 0,
  viewChanges: 0,
  flushMsTotal: 0,
  lastFlushMs: 0,
  sendQueueMessages: 0,
  refusedMessages: 0,
  droppedBufferedMessages: 0,
};

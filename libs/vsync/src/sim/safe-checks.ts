import { mergeSafeLogs, type SafeLogEntry } from '../protocol';

export const SAFE_INVARIANTS = [
  'safeSend: total order',
  'safeSend: no delivery without the quorum',
  'safeSend: durability (every delivered safeSend is in the merged logs, in delivery order, none invented)',
] as const;

/** What a safe run records for the checks. Process keys are `address#incarnation`; epochs `era:viewId`. */
export interface SafeHistory {
  /** Safe deliveries per process, in order (message ids). */
  readonly deliveries: Map<string, string[]>;
  /** Each address's log, across crashes and systems: what its writes completed, in order. */
  readonly logs: Map<string, SafeLogEntry[]>;
  /** When each process's log first held each message (simulated ms). */
  readonly persistedAt: Map<string, Map<string, number>>;
  /** The epoch each logged message was sent in. */
  readonly recordEpoch: Map<string, string>;
  /** The group's members in each epoch. */
  readonly epochMembers: Map<string, string[]>;
  /** Each process's current group members (updated at each system view). */
  readonly groupNow: Map<string, string[]>;
  /** Ids of every safeSend the workload issued. */
  readonly sent: Set<string>;
  /** Every delivery with its time and the delivering process's group members then. */
  readonly deliveryChecks: { process: string; id: string; at: number; group: string[] }[];
}

export function checkSafeHistory(h: SafeHistory): string[] {
  return [...checkOrder(h), ...checkQuorum(h), ...checkDurability(h)].slice(0, 20);
}

/** Every two processes deliver their common safe messages in the same order, and each delivers one at most once. */
function checkOrder(h: SafeHistory): string[] {
  const violations: string[] = [];
  const lists = [...h.deliveries.entries()];
  for (const [p, list] of lists)
    if (new Set(list).size !== list.length)
      violations.push(`[${SAFE_INVARIANTS[0]}] ${p} delivered a message twice`);
  for (let i = 0; i < lists.length; i++)
    for (let j = i + 1; j < lists.length; j++) {
      const [p, a] = lists[i];
      const [q, b] = lists[j];
      const inB = new Set(b);
      const common = a.filter((id) => inB.has(id));
      const inA = new Set(common);
      const other = b.filter((id) => inA.has(id));
      const at = common.findIndex((id, k) => other[k] !== id);
      if (at >= 0)
        violations.push(
          `[${SAFE_INVARIANTS[0]}] ${p} delivered ${common[at]} where ${q} delivered ${other[at]}`,
        );
    }
  return violations;
}

/** At each delivery, the deliverer's log and a majority of the record's epoch members still in its group held it. */
function checkQuorum(h: SafeHistory): string[] {
  const violations: string[] = [];
  for (const d of h.deliveryChecks) {
    const epoch = h.recordEpoch.get(d.id);
    const members = epoch === undefined ? [] : (h.epochMembers.get(epoch) ?? []);
    const eligible = members.filter((m) => d.group.includes(m));
    const logged = [...(h.persistedAt.get(d.id) ?? new Map<string, number>())]
      .filter(([p, at]) => at <= d.at && members.includes(p))
      .map(([p]) => p);
    const needed = Math.floor(eligible.length / 2) + 1;
    if (!logged.includes(d.process) || logged.length < needed)
      violations.push(
        `[${SAFE_INVARIANTS[1]}] ${d.process} delivered ${d.id} at ${d.at} ms logged by ${logged.length} (${logged.join(', ')}) of ${eligible.length} eligible, itself ${logged.includes(d.process) ? 'included' : 'not'}`,
      );
  }
  return violations;
}

/** The merged logs (the recovery's history) hold every delivered message, in each process's delivery order, and only
 *  messages that were sent. */
function checkDurability(h: SafeHistory): string[] {
  const violations: string[] = [];
  const merged = mergeSafeLogs([...h.logs.values()]).map((e) => idOf(e.payload));
  for (const id of merged)
    if (!h.sent.has(id)) violations.push(`[${SAFE_INVARIANTS[2]}] the logs hold ${id}, which was never sent`);
  const position = new Map(merged.map((id, i) => [id, i]));
  for (const [p, list] of h.deliveries) {
    let last = -1;
    for (const id of list) {
      const at = position.get(id);
      if (at === undefined)
        violations.push(`[${SAFE_INVARIANTS[2]}] ${p} delivered ${id}, which no log holds`);
      else if (at < last)
        violations.push(`[${SAFE_INVARIANTS[2]}] the logs put ${id} before an earlier delivery of ${p}`);
      else last = at;
    }
  }
  return violations;
}

/** A sim payload is its id in UTF-8 up to the first zero byte. */
export function idOf(payload: Uint8Array): string {
  const end = payload.indexOf(0);
  return new TextDecoder().decode(end < 0 ? payload : payload.subarray(0, end));
}

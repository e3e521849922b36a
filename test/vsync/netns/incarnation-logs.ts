/**
 * Turns the event logs of members that were excluded and rejoined into the shape the invariant checker judges:
 * a process that rejoins is a new member (a new incarnation of the same address), so each incarnation gets a log
 * of its own and its messages are told apart from the earlier incarnation's by the sender's incarnation.
 *
 * A message is named `<member name>/<incarnation>#<seq>`; the member program numbers each incarnation's messages
 * from 0, so FIFO without gaps holds per incarnation.
 */
import type { DeliveryRecord, Expectations, LogRecord, ViewRecord } from '../invariants';
import type { MemberEvent } from '../member-process';

export interface MemberLog {
  readonly name: string;
  /** host:port, the same for every incarnation. */
  readonly address: string;
  readonly events: readonly MemberEvent[];
  /**
   * Where each system after a re-found begins in `events` (an event index per re-found, ascending). A re-founded
   * system numbers its views from 1 again, so each system's view ids are told apart by SYSTEM_VIEW_ID_SPAN.
   */
  readonly systemStarts?: readonly number[];
}

/** Added to the view ids of each later system (after a re-found): larger than any view id one test reaches. */
export const SYSTEM_VIEW_ID_SPAN = 1_000_000;

export interface IncarnationLogs {
  /** `<name>/<incarnation>` -> that incarnation's views and deliveries. */
  readonly logs: Map<string, LogRecord[]>;
  readonly expected: Expectations;
  /** The incarnation each member ran last, by member name. */
  readonly last: Map<string, string>;
}

const incarnationOf = (processId: string): string => processId.slice(processId.lastIndexOf('/') + 1);
const addressOf = (processId: string): string => processId.slice(0, processId.lastIndexOf('/'));

/** Splits one group's records of every member by the incarnation that recorded them. */
export function splitByIncarnation(members: readonly MemberLog[], group: string): IncarnationLogs {
  const logs = new Map<string, LogRecord[]>();
  const sent = new Map<string, number>();
  const identities = new Map<string, string>();
  const last = new Map<string, string>();
  const nameAt = new Map(members.map((m) => [m.address, m.name]));
  for (const member of members) {
    let current: LogRecord[] | undefined;
    const starts = member.systemStarts ?? [];
    member.events.forEach((event, index) => {
      if (event.group !== group) return;
      const offset = starts.filter((start) => index >= start).length * SYSTEM_VIEW_ID_SPAN;
      if (event.event === 'view') {
        const self = (event.members as string[])[event.rank as number];
        const key = `${member.name}/${incarnationOf(self)}`;
        identities.set(key, self);
        last.set(member.name, key);
        current = logs.get(key) ?? [];
        logs.set(key, current);
        current.push({
          event: 'view',
          id: (event.id as number) + offset,
          members: event.members,
        } as ViewRecord);
      } else if (event.event === 'deliver') {
        // A delivery before any view would be a bug of its own: keep it, so the checker reports it.
        if (current === undefined) logs.set(`${member.name}/none`, (current = []));
        current.push(deliveryRecord(event, nameAt, offset));
      } else if (event.event === 'sent') {
        const key = `${member.name}/${incarnationOf(event.sender as string)}`;
        sent.set(key, (sent.get(key) ?? 0) + 1);
      }
    });
  }
  // Completeness across joins is judged by finalCompleteness: the checker's own wants every survivor to have been a
  // member from the start.
  return { logs, expected: { identities, sent, survivors: [] }, last };
}

function deliveryRecord(
  event: MemberEvent,
  nameAt: ReadonlyMap<string, string>,
  viewIdOffset: number,
): DeliveryRecord {
  const sender = event.sender as string;
  // The payload names the sending member; the sender's incarnation comes from the library. If the payload's name
  // is not the one at the sender's address, the identity map will not match and integrity fails.
  const from =
    nameAt.get(addressOf(sender)) === event.from
      ? `${event.from as string}/${incarnationOf(sender)}`
      : `${event.from as string}/?`;
  return {
    event: 'deliver',
    from,
    seq: event.seq as number,
    sender,
    viewId: (event.viewId as number) + viewIdOffset,
    ordering: event.ordering as DeliveryRecord['ordering'],
  };
}

/**
 * After the workload stopped and every member settled in one view: each last incarnation delivered every message it
 * sent, and every message a last incarnation delivered in a view that also held another last incarnation was
 * delivered by that one too (view synchrony for the final view, which has no successor to compare at).
 */
export function finalCompleteness(split: IncarnationLogs): string[] {
  const violations: string[] = [];
  const finals = [...split.last.values()];
  const delivered = (key: string): Map<string, number> =>
    new Map(
      (split.logs.get(key) ?? [])
        .filter((r): r is DeliveryRecord => r.event === 'deliver')
        .map((r) => [`${r.from}#${r.seq}`, r.viewId]),
    );
  const viewsOf = (key: string): Set<number> =>
    new Set((split.logs.get(key) ?? []).filter((r) => r.event === 'view').map((r) => r.id));
  for (const x of finals) {
    const own = delivered(x);
    const sent = split.expected.sent.get(x) ?? 0;
    const missingOwn = Array.from({ length: sent }, (_, seq) => `${x}#${seq}`).filter((k) => !own.has(k));
    if (missingOwn.length > 0)
      violations.push(`liveness: ${x} never delivered ${missingOwn.length} of its own ${sent}`);
    for (const y of finals) {
      if (y === x) continue;
      const xViews = viewsOf(x);
      const missing = [...delivered(y)]
        .filter(([k, viewId]) => xViews.has(viewId) && !own.has(k))
        .map(([k]) => k);
      if (missing.length > 0)
        violations.push(
          `liveness: ${x} is missing ${missing.length} messages ${y} delivered in common views, e.g. ${missing.slice(0, 3)}`,
        );
    }
  }
  return violations;
}

/**
 * FIFO without gaps for members that join while others send: the checker wants every member to deliver every
 * sender's messages from #0, which only holds for members there from the start. A joiner delivers each sender's
 * stream from the first message of the view it joined in (view synchrony checks that this is the right place), and
 * from there on without gaps or reordering.
 */
export function fifoFromJoin(split: IncarnationLogs): string[] {
  const violations: string[] = [];
  for (const [name, log] of split.logs) {
    const nextSeq = new Map<string, number>();
    for (const record of log) {
      if (record.event !== 'deliver') continue;
      const expected = nextSeq.get(record.from);
      if (expected !== undefined && record.seq !== expected)
        violations.push(`fifo: ${name} delivered ${record.from}#${record.seq} when #${expected} was next`);
      nextSeq.set(record.from, record.seq + 1);
    }
  }
  return violations;
}

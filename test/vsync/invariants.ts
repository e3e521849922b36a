/**
 * The virtual-synchrony invariants, checked over the logs that member programs print. Each log is the ordered
 * list of views and deliveries of one member; a killed member's log is simply shorter.
 */

export interface ViewRecord {
  readonly event: 'view';
  /** The system view that decided this group view (a delivery's viewId names it). */
  readonly id: number;
  /** The group's own view number (View.id), when the member printed it. */
  readonly groupViewId?: number;
  readonly members: readonly string[];
}

export interface DeliveryRecord {
  readonly event: 'deliver';
  /** Name of the sending member, from the payload. */
  readonly from: string;
  readonly seq: number;
  /** ProcessId of the sender, as the library reported it. */
  readonly sender: string;
  readonly viewId: number;
  readonly ordering: 'fifo' | 'total';
}

export type LogRecord = ViewRecord | DeliveryRecord;

/** What the test knows independently of the logs: who each member is and how many messages it sent. */
export interface Expectations {
  /** Member name -> its ProcessId string. */
  readonly identities: ReadonlyMap<string, string>;
  /** Member name -> number of messages it multicast. */
  readonly sent: ReadonlyMap<string, number>;
  /** Members that stayed alive to the end; each must deliver every message of every survivor. */
  readonly survivors: readonly string[];
}

const key = (d: DeliveryRecord): string => `${d.from}#${d.seq}`;

/** Returns one line per violation; empty when every invariant holds. */
export function checkInvariants(
  logs: ReadonlyMap<string, readonly LogRecord[]>,
  expected: Expectations,
): string[] {
  return [
    ...viewAgreement(logs),
    ...viewsIncrease(logs),
    ...deliveredInCurrentView(logs),
    ...viewSynchrony(logs),
    ...fifo(logs),
    ...totalOrder(logs),
    ...integrity(logs, expected),
    ...completeness(logs, expected),
  ];
}

/** 1. All members that install view k install the same member list. */
function viewAgreement(logs: ReadonlyMap<string, readonly LogRecord[]>): string[] {
  const seen = new Map<number, { by: string; members: string }>();
  const violations: string[] = [];
  for (const [name, log] of logs) {
    for (const record of log) {
      if (record.event !== 'view') continue;
      const members = `#${record.groupViewId ?? '?'} ${record.members.join(',')}`;
      const first = seen.get(record.id);
      if (first === undefined) seen.set(record.id, { by: name, members });
      else if (first.members !== members)
        violations.push(
          `view agreement: view ${record.id} is [${first.members}] at ${first.by} but [${members}] at ${name}`,
        );
    }
  }
  return violations;
}

/** 6. Primary partition: each member installs views in strictly increasing order (with agreement: one linear history). */
function viewsIncrease(logs: ReadonlyMap<string, readonly LogRecord[]>): string[] {
  const violations: string[] = [];
  for (const [name, log] of logs) {
    const ids = log.filter((r): r is ViewRecord => r.event === 'view').map((r) => r.id);
    for (let i = 1; i < ids.length; i += 1)
      if (ids[i] <= ids[i - 1])
        violations.push(`primary partition: ${name} installed view ${ids[i]} after ${ids[i - 1]}`);
  }
  return violations;
}

/** A message is delivered in the view it was sent in, which is the view installed at the time of delivery. */
function deliveredInCurrentView(logs: ReadonlyMap<string, readonly LogRecord[]>): string[] {
  const violations: string[] = [];
  for (const [name, log] of logs) {
    let current: number | undefined;
    for (const record of log) {
      if (record.event === 'view') current = record.id;
      else if (record.viewId !== current)
        violations.push(
          `view synchrony: ${name} delivered ${key(record)} tagged view ${record.viewId} while in view ${current}`,
        );
    }
  }
  return violations;
}

/** Message keys each member delivered in each view, and the view each member installed next. */
function deliveriesPerView(log: readonly LogRecord[]): {
  sets: Map<number, Set<string>>;
  next: Map<number, number>;
} {
  const sets = new Map<number, Set<string>>();
  const next = new Map<number, number>();
  let current: number | undefined;
  for (const record of log) {
    if (record.event === 'view') {
      if (current !== undefined) next.set(current, record.id);
      current = record.id;
      sets.set(current, new Set());
    } else if (current !== undefined) {
      sets.get(current)!.add(key(record));
    }
  }
  return { sets, next };
}

/** 2. Two members that install both v and its successor delivered the same messages in v. */
function viewSynchrony(logs: ReadonlyMap<string, readonly LogRecord[]>): string[] {
  const violations: string[] = [];
  const perMember = [...logs].map(([name, log]) => ({ name, ...deliveriesPerView(log) }));
  for (let a = 0; a < perMember.length; a += 1) {
    for (let b = a + 1; b < perMember.length; b += 1) {
      const [x, y] = [perMember[a], perMember[b]];
      for (const [view, successor] of x.next) {
        if (y.next.get(view) !== successor) continue;
        const [xs, ys] = [x.sets.get(view)!, y.sets.get(view)!];
        const onlyX = [...xs].filter((k) => !ys.has(k));
        const onlyY = [...ys].filter((k) => !xs.has(k));
        if (onlyX.length + onlyY.length > 0) {
          violations.push(
            `view synchrony: in view ${view}, ${x.name} alone delivered [${onlyX.slice(0, 5)}], ${y.name} alone delivered [${onlyY.slice(0, 5)}]`,
          );
        }
      }
    }
  }
  return violations;
}

/** 3. FIFO per sender without gaps: each member delivers 0, 1, 2, ... of every sender. */
function fifo(logs: ReadonlyMap<string, readonly LogRecord[]>): string[] {
  const violations: string[] = [];
  for (const [name, log] of logs) {
    const nextSeq = new Map<string, number>();
    for (const record of log) {
      if (record.event !== 'deliver') continue;
      const expected = nextSeq.get(record.from) ?? 0;
      if (record.seq !== expected)
        violations.push(`fifo: ${name} delivered ${record.from}#${record.seq} when #${expected} was next`);
      nextSeq.set(record.from, record.seq + 1);
    }
  }
  return violations;
}

/** 4. Total order: any two members deliver their common orderedSend messages in the same relative order. */
function totalOrder(logs: ReadonlyMap<string, readonly LogRecord[]>): string[] {
  const violations: string[] = [];
  const sequences = [...logs].map(([name, log]) => ({
    name,
    order: log.filter((r): r is DeliveryRecord => r.event === 'deliver' && r.ordering === 'total').map(key),
  }));
  for (let a = 0; a < sequences.length; a += 1) {
    for (let b = a + 1; b < sequences.length; b += 1) {
      const [x, y] = [sequences[a], sequences[b]];
      const inY = new Set(y.order);
      const inX = new Set(x.order);
      const commonX = x.order.filter((k) => inY.has(k));
      const commonY = y.order.filter((k) => inX.has(k));
      const at = commonX.findIndex((k, i) => k !== commonY[i]);
      if (at >= 0)
        violations.push(
          `total order: ${x.name} delivered ${commonX[at]} where ${y.name} delivered ${commonY[at]} (common position ${at})`,
        );
    }
  }
  return violations;
}

/** 5. Integrity: at most once, only if sent, from the identity that sent it, and only in a view that holds the sender. */
function integrity(logs: ReadonlyMap<string, readonly LogRecord[]>, expected: Expectations): string[] {
  const violations: string[] = [];
  const viewMembers = new Map<number, readonly string[]>();
  for (const log of logs.values())
    for (const r of log) if (r.event === 'view') viewMembers.set(r.id, r.members);
  for (const [name, log] of logs) {
    const seen = new Set<string>();
    for (const record of log) {
      if (record.event !== 'deliver') continue;
      const k = key(record);
      if (seen.has(k)) violations.push(`integrity: ${name} delivered ${k} twice`);
      seen.add(k);
      const sent = expected.sent.get(record.from) ?? 0;
      if (record.seq < 0 || record.seq >= sent)
        violations.push(`integrity: ${name} delivered ${k}, which was never sent`);
      if (expected.identities.get(record.from) !== record.sender)
        violations.push(`integrity: ${name} delivered ${k} attributed to ${record.sender}`);
      if (!viewMembers.get(record.viewId)?.includes(record.sender))
        violations.push(
          `integrity: ${name} delivered ${k} in view ${record.viewId}, which does not hold ${record.sender}`,
        );
    }
  }
  return violations;
}

/** 7 and 8. Every survivor delivers every message sent by every survivor, its own included. */
function completeness(logs: ReadonlyMap<string, readonly LogRecord[]>, expected: Expectations): string[] {
  const violations: string[] = [];
  for (const name of expected.survivors) {
    const delivered = new Set(
      (logs.get(name) ?? []).filter((r): r is DeliveryRecord => r.event === 'deliver').map(key),
    );
    for (const sender of expected.survivors) {
      const count = expected.sent.get(sender) ?? 0;
      let missing = 0;
      for (let seq = 0; seq < count; seq += 1) if (!delivered.has(`${sender}#${seq}`)) missing += 1;
      if (missing > 0)
        violations.push(`liveness: ${name} is missing ${missing} of ${count} messages from ${sender}`);
    }
  }
  return violations;
}

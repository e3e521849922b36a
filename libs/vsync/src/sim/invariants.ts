import type { Delivery, History } from './history';
import type { WireLog } from './wire-log';
import { checkQueries, QUERY_INVARIANT_NAMES } from './query-invariants';

export interface InvariantInput {
  readonly history: History;
  /** Processes alive and never excluded at the end of the run (the survivors). */
  readonly survivors: ReadonlySet<string>;
  /** Whether the run ended with the faults stopped and the system settled (liveness is then demanded). */
  readonly checkLiveness: boolean;
  /** Why the run did not settle, if it did not. */
  readonly unsettled: string | null;
  /** The protocol's traffic, when the run recorded it: the quorum and flow-control checks read it. */
  readonly wire?: WireLog;
}

/** Every invariant by the name its violations start with, in the order they are checked. */
export const INVARIANT_NAMES = [
  'assertion',
  'view agreement',
  'primary partition',
  'quorum',
  'fencing',
  'integrity',
  'fifo',
  'total order',
  'view synchrony',
  'flow control',
  'self-delivery',
  ...QUERY_INVARIANT_NAMES,
  'liveness',
  'join liveness',
] as const;

/** Simulated time within which every group join request ends, joined or refused (or its process stopped or left the
 *  system). Several times the slowest answer seen across the faults (under 1 s: a pause of up to 1.2 s, a partition,
 *  an exclusion), while a join lost for good shows as never ending. */
export const JOIN_ANSWER_BOUND_MS = 3_000;

/** Checks every invariant of INVARIANT_NAMES (liveness only when asked); returns one line per violation, each starting
 *  with the invariant's name (empty = the run is correct). */
export function checkInvariants(input: InvariantInput): string[] {
  const h = input.history;
  const violations = [
    ...h.notes.map((n) => `assertion: ${n}`),
    ...viewAgreement(h),
    ...primaryPartition(h),
    ...(input.wire?.quorumViolations ?? []).map((v) => `quorum: ${v}`),
    ...fencing(h),
    ...integrity(h),
    ...fifo(h),
    ...totalOrder(h),
    ...viewSynchrony(h),
    ...departedSynchrony(h),
    ...(input.wire?.flowViolations.slice(0, 10) ?? []).map((v) => `flow control: ${v}`),
    ...selfDelivery(h, input.survivors),
    ...checkQueries(h),
  ];
  if (input.checkLiveness) violations.push(...liveness(input), ...joinLiveness(h));
  return violations;
}

function viewAgreement(h: History): string[] {
  const out: string[] = [];
  const system = new Map<number, string>();
  for (const v of h.systemViews) {
    const members = v.members.join(',');
    const seen = system.get(v.id);
    if (seen === undefined) system.set(v.id, members);
    else if (seen !== members)
      out.push(`view agreement: view ${v.id} is [${seen}] at one process and [${members}] at ${v.process}`);
  }
  const groups = new Map<string, string>();
  for (const g of h.groupViews) {
    const key = `${g.group}@${g.viewId}`;
    const members = `#${g.groupViewId ?? '?'} ${g.members.join(',')}`;
    const seen = groups.get(key);
    if (seen === undefined) groups.set(key, members);
    else if (seen !== members)
      out.push(`view agreement: group view ${key} is [${seen}] and [${members}] at ${g.process}`);
  }
  return [...out, ...consecutiveGroupViews(h)];
}

/** A group's own view ids count its views: 1 when it is founded, and each member that stays in the group sees every
 *  next view of it numbered one more than the last (the system view ids in between may skip). */
function consecutiveGroupViews(h: History): string[] {
  const out: string[] = [];
  const last = new Map<string, number>();
  for (const g of h.groupViews) {
    if (g.groupViewId === undefined) continue;
    const stream = `${g.process}|${g.group}`;
    const prev = last.get(stream);
    last.set(stream, g.groupViewId);
    if (g.founded === true && g.groupViewId !== 1)
      out.push(`view agreement: ${g.process} installed the founding view of ${g.group} as ${g.groupViewId}`);
    else if (g.entered !== true && prev === undefined)
      out.push(`view agreement: ${g.process} installed ${g.group} view ${g.groupViewId} without entering it`);
    else if (g.entered !== true && g.groupViewId !== prev! + 1)
      out.push(`view agreement: ${g.process} installed ${g.group} view ${g.groupViewId} after ${prev}`);
  }
  return out.slice(0, 10);
}

function primaryPartition(h: History): string[] {
  const out: string[] = [];
  const last = new Map<string, number>();
  for (const v of h.systemViews) {
    const prev = last.get(v.process);
    if (prev !== undefined && v.id !== prev + 1)
      out.push(`primary partition: ${v.process} installed view ${v.id} after ${prev}`);
    last.set(v.process, v.id);
  }
  return out;
}

function groupViewMembers(h: History): Map<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const g of h.groupViews) map.set(`${g.group}@${g.viewId}`, g.members);
  return map;
}

function integrity(h: History): string[] {
  const out: string[] = [];
  const members = groupViewMembers(h);
  const seen = new Set<string>();
  for (const d of h.deliveries) {
    const key = `${d.receiver}|${d.id}`;
    if (seen.has(key)) out.push(`integrity: ${d.receiver} delivered ${d.id} twice`);
    seen.add(key);
    const sent = h.sent.get(d.id);
    if (!sent) out.push(`integrity: ${d.receiver} delivered ${d.id}, which was never sent`);
    else if (sent.sender !== d.sender || sent.group !== d.group || sent.ordering !== d.ordering) {
      out.push(`integrity: ${d.receiver} delivered ${d.id} with the wrong sender, group or ordering`);
    }
    const view = members.get(`${d.group}@${d.viewId}`);
    if (!view) out.push(`integrity: ${d.receiver} delivered ${d.id} in unknown view ${d.group}@${d.viewId}`);
    else if (!view.includes(d.sender))
      out.push(
        `integrity: ${d.receiver} delivered ${d.id} from ${d.sender}, not a member of ${d.group}@${d.viewId}`,
      );
    else if (!view.includes(d.receiver))
      out.push(`integrity: ${d.receiver} delivered ${d.id} in ${d.group}@${d.viewId} without being a member`);
  }
  return out;
}

function fifo(h: History): string[] {
  const out: string[] = [];
  const last = new Map<string, { index: number; viewId: number }>();
  for (const d of h.deliveries) {
    const sent = h.sent.get(d.id);
    if (!sent) continue;
    const stream = `${d.receiver}|${d.sender}|${d.group}|${d.ordering}`;
    const prev = last.get(stream);
    if (prev && sent.index <= prev.index)
      out.push(`fifo: ${d.receiver} delivered ${d.id} after #${prev.index} of the same sender`);
    else if (prev && prev.viewId === d.viewId && sent.index !== prev.index + 1) {
      out.push(
        `fifo: ${d.receiver} skipped from #${prev.index} to ${d.id} within view ${d.group}@${d.viewId}`,
      );
    }
    last.set(stream, { index: sent.index, viewId: d.viewId });
  }
  return out;
}

function totalOrder(h: History): string[] {
  const out: string[] = [];
  const sequences = new Map<string, string[]>();
  for (const d of h.deliveries) {
    if (d.ordering !== 'total') continue;
    const key = `${d.group}|${d.receiver}`;
    const list = sequences.get(key) ?? [];
    list.push(d.id);
    sequences.set(key, list);
  }
  const entries = [...sequences.entries()];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [ka, a] = entries[i];
      const [kb, b] = entries[j];
      if (ka.split('|')[0] !== kb.split('|')[0]) continue;
      const position = new Map(b.map((id, p) => [id, p]));
      let prev = -1;
      for (const id of a) {
        const p = position.get(id);
        if (p === undefined) continue;
        if (p < prev) {
          out.push(`total order: ${ka} and ${kb} disagree on the order around ${id}`);
          break;
        }
        prev = p;
      }
    }
  }
  return out;
}

/** Processes that install both v and the same next view delivered the same messages in v. */
function viewSynchrony(h: History): string[] {
  const out: string[] = [];
  const sequence = new Map<string, number[]>();
  for (const g of h.groupViews) {
    const key = `${g.process}|${g.group}`;
    const list = sequence.get(key) ?? [];
    list.push(g.viewId);
    sequence.set(key, list);
  }
  const delivered = new Map<string, string[]>();
  for (const d of h.deliveries) {
    const key = `${d.receiver}|${d.group}|${d.viewId}`;
    const list = delivered.get(key) ?? [];
    list.push(d.id);
    delivered.set(key, list);
  }
  const closed = new Map<string, { process: string; signature: string }>();
  for (const [key, views] of sequence) {
    const [process, group] = key.split('|');
    for (let i = 0; i + 1 < views.length; i++) {
      const span = `${group}|${views[i]}->${views[i + 1]}`;
      const signature = [...(delivered.get(`${process}|${group}|${views[i]}`) ?? [])].sort().join(',');
      const other = closed.get(span);
      if (!other) closed.set(span, { process, signature });
      else if (other.signature !== signature) {
        out.push(
          `view synchrony: ${other.process} and ${process} delivered different messages in ${group}@${views[i]}`,
        );
      }
    }
  }
  return out;
}

function selfDelivery(h: History, survivors: ReadonlySet<string>): string[] {
  const delivered = new Set(h.deliveries.filter((d) => d.receiver === d.sender).map((d) => d.id));
  const out: string[] = [];
  for (const m of h.sent.values()) {
    if (survivors.has(m.sender) && !delivered.has(m.id))
      out.push(`self-delivery: ${m.sender} never delivered its own ${m.id}`);
  }
  return out;
}

/** Every join request ends, with the group joined or refused, within JOIN_ANSWER_BOUND_MS of simulated time: a
 *  request the protocol drops must not leave its caller waiting for ever. */
function joinLiveness(h: History): string[] {
  const out: string[] = [];
  for (const j of h.joinRequests.values()) {
    const tookMs = j.endedMs === null ? Infinity : j.endedMs - j.askedMs;
    if (tookMs <= JOIN_ANSWER_BOUND_MS) continue;
    const asked = `${j.process}'s join to ${j.group} asked at ${Math.round(j.askedMs)} ms`;
    out.push(
      `join liveness: ${asked} ${j.endedMs === null ? 'never ended' : `took ${Math.round(tookMs)} ms`}`,
    );
  }
  return out.slice(0, 10);
}

/** After the faults stop: the views settled, and every survivor's message reached every survivor in its view. */
function liveness(input: InvariantInput): string[] {
  if (input.unsettled) return [`liveness: ${input.unsettled}`];
  const h = input.history;
  const out: string[] = [];
  const byReceiver = new Map<string, Set<string>>();
  for (const d of h.deliveries) {
    const set = byReceiver.get(d.receiver) ?? new Set<string>();
    set.add(d.id);
    byReceiver.set(d.receiver, set);
  }
  const installed = new Set(h.groupViews.map((g) => `${g.process}|${g.group}@${g.viewId}`));
  const own = new Map<string, Delivery>();
  for (const d of h.deliveries) if (d.receiver === d.sender) own.set(d.id, d);
  for (const m of h.sent.values()) {
    const d = own.get(m.id);
    if (!d || !input.survivors.has(m.sender)) continue;
    for (const r of input.survivors) {
      if (installed.has(`${r}|${d.group}@${d.viewId}`) && !byReceiver.get(r)?.has(m.id)) {
        out.push(`liveness: survivor ${r} never delivered ${m.id} from view ${d.group}@${d.viewId}`);
      }
    }
  }
  return out.slice(0, 20);
}

/** An incarnation a decided view removed never comes back: no later view holds it, nor an older incarnation of an
 *  address once a newer one was in a view. */
function fencing(h: History): string[] {
  const views = new Map<number, readonly string[]>();
  for (const v of h.systemViews) if (!views.has(v.id)) views.set(v.id, v.members);
  const removedAt = new Map<string, number>();
  const newest = new Map<string, number>();
  const out: string[] = [];
  for (const id of [...views.keys()].sort((a, b) => a - b)) {
    const members = views.get(id)!;
    for (const m of members) {
      const [address, incarnation] = splitKey(m);
      const removed = removedAt.get(m);
      if (removed !== undefined) out.push(`fencing: ${m}, removed by view ${removed}, is back in view ${id}`);
      if ((newest.get(address) ?? 0) > incarnation)
        out.push(`fencing: view ${id} holds ${m} after a newer incarnation of ${address}`);
      newest.set(address, Math.max(newest.get(address) ?? 0, incarnation));
    }
    const previous = views.get(id - 1);
    for (const m of previous ?? []) if (!members.includes(m) && !removedAt.has(m)) removedAt.set(m, id);
  }
  return out.slice(0, 10);
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf('#');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

/** What each process delivered in each group view, judged by position: between its report of that view and its next
 *  report of the group; a delivery whose tag names another view is itself a violation. */
function deliveredByPosition(h: History): {
  sets: Map<string, Set<string>>;
  next: Map<string, number>;
  out: string[];
} {
  const sets = new Map<string, Set<string>>();
  const next = new Map<string, number>();
  const current = new Map<string, number>();
  const tags = new Map(h.deliveries.map((d) => [`${d.receiver}|${d.id}`, d.viewId]));
  const out: string[] = [];
  for (const e of h.timeline) {
    if (e.kind === 'queryEnd') continue;
    const stream = `${e.process}|${e.group}`;
    const view = current.get(stream);
    if (e.kind === 'view') {
      if (view !== undefined) next.set(`${stream}|${view}`, e.viewId);
      current.set(stream, e.viewId);
      continue;
    }
    if (view === undefined) {
      out.push(
        `view synchrony: ${e.process} delivered ${e.id} in ${e.group} before reporting any view of it`,
      );
      continue;
    }
    const tag = tags.get(`${e.process}|${e.id}`);
    if (tag !== view && out.length < 10)
      out.push(
        `view synchrony: ${e.process} delivered ${e.id} tagged ${e.group}@${tag} after reporting ${e.group}@${view}`,
      );
    const key = `${stream}|${view}`;
    const set = sets.get(key) ?? new Set<string>();
    set.add(e.id);
    sets.set(key, set);
  }
  return { sets, next, out };
}

/** A member that left a group gracefully takes part in the view change that removes it, so it delivered in its last
 *  view exactly what the members that went on delivered, even if it crashed or was excluded afterwards. (One that
 *  crashed instead may have delivered messages nobody else holds: plain multicasts are not uniform.) Judged by
 *  position, not by tag. */
function departedSynchrony(h: History): string[] {
  const { sets, next, out } = deliveredByPosition(h);
  const wentOn = new Map<string, { process: string; set: Set<string> }>();
  for (const key of next.keys()) {
    const [process, group, view] = key.split('|');
    if (!wentOn.has(`${group}|${view}`))
      wentOn.set(`${group}|${view}`, { process, set: sets.get(key) ?? new Set() });
  }
  for (const key of h.groupLeaves) {
    const [process, group, view] = key.split('|');
    const went = wentOn.get(`${group}|${view}`);
    if (!went || next.has(key)) continue;
    const mine = sets.get(key) ?? new Set<string>();
    const extra = [...mine].filter((id) => !went.set.has(id));
    const missing = [...went.set].filter((id) => !mine.has(id));
    if (extra.length + missing.length > 0)
      out.push(
        `view synchrony: ${process} left ${group}@${view} gracefully having delivered ${extra.length} messages ${went.process} (who went on) did not, and missing ${missing.length} it did (${[...extra, ...missing][0]})`,
      );
  }
  return out.slice(0, 10);
}

import { targetOf } from '../protocol';
import type { History, IssuedQuery, QueryEnd } from './history';

/** The query invariants, by the names their violations start with. */
export const QUERY_INVARIANT_NAMES = ['query answers', 'query completion', 'query order'] as const;

/** Who a multicast query asked: the members of the group view its request was delivered in (view synchrony puts every
 *  delivery of one message in one view); a p2p query asked its target. */
function askedBy(
  h: History,
  q: IssuedQuery,
  members: Map<string, readonly string[]>,
): readonly string[] | null {
  if (q.ordering === 'p2p') return [q.target!];
  const viewId = sentIn(h, q);
  return viewId === null ? null : (members.get(`${q.group}@${viewId}`) ?? null);
}

function sentIn(h: History, q: IssuedQuery): number | null {
  return h.deliveries.find((x) => x.id === q.id)?.viewId ?? null;
}

function delivered(h: History, q: IssuedQuery, receiver: string): boolean {
  if (q.ordering === 'p2p') return h.p2pDelivered.has(`${receiver}|${q.id}`);
  return h.deliveries.some((d) => d.receiver === receiver && d.id === q.id);
}

/** Every answer counted comes from a member that was asked and delivered the request, at most once per member, and a
 *  value reply is the one that member wrote; silent members were asked and did not answer. */
function answers(h: History, q: IssuedQuery, end: QueryEnd, asked: readonly string[] | null): string[] {
  const out: string[] = [];
  const from = end.answerers.map((a) => a.from);
  if (new Set(from).size !== from.length)
    out.push(`query answers: ${q.id} counted a reply twice (${from.join(',')})`);
  for (const a of end.answerers) {
    if (asked !== null && !asked.includes(a.from))
      out.push(`query answers: ${q.id} counted ${a.from}, who was not asked`);
    else if (!delivered(h, q, a.from))
      out.push(`query answers: ${q.id} counted ${a.from}, who never delivered the request`);
    if (a.named !== null && a.named !== a.from)
      out.push(`query answers: ${q.id} took ${a.named}'s reply as ${a.from}'s`);
  }
  for (const s of end.silent)
    if (from.includes(s) || (asked !== null && !asked.includes(s)))
      out.push(`query answers: ${q.id} reported ${s} silent, who answered or was not asked`);
  return out;
}

/** A query that completed without a timeout got its `want` answers, or every asked member that did not answer left
 *  the group or the system before it ended: a failed member leaves the expected set, and the query completes with the
 *  survivors. Conversely a query that timed out waited only for members still there: one that had left was no longer
 *  expected, so it cannot be among the silent. */
function completion(h: History, q: IssuedQuery, end: QueryEnd, asked: readonly string[] | null): string[] {
  if (end.error !== null || asked === null || q.ordering === 'p2p') return [];
  const gone = goneBeforeEnd(h, q, end);
  const waitedForGone = end.silent.filter(gone);
  if (waitedForGone.length > 0)
    return [
      `query completion: ${q.id} timed out waiting for ${waitedForGone.join(',')}, who had left the group`,
    ];
  if (end.silent.length > 0 || end.answerers.length >= targetOf(q.want, asked.length)) return [];
  const answered = new Set(end.answerers.map((a) => a.from));
  const stayed = asked.filter((m) => !answered.has(m) && !gone(m));
  if (stayed.length === 0) return [];
  return [
    `query completion: ${q.id} (want ${String(q.want)}) completed with ${answered.size} of ${asked.length} answers though ${stayed.join(',')} never left the group`,
  ];
}

/** Whether a member was out of the query's group in some system view after its request's view, up to the querier's
 *  view when the query ended (failed, excluded, or left by request): read from the decided views themselves, so a
 *  change nobody in the group reported (its other members left in the same change) still counts. */
function goneBeforeEnd(h: History, q: IssuedQuery, end: QueryEnd): (member: string) => boolean {
  const sent = sentIn(h, q)!;
  const views = h.systemViews.filter((v) => v.id > sent && v.id <= end.viewId);
  return (m) => views.some((v) => !(v.groups?.get(q.group) ?? []).includes(m));
}

/** An orderedQuery's request takes its place in the group's one total order: every two members that delivered it
 *  agree on which total-order messages (orderedSends and other ordered queries) came before it. */
function queryOrder(h: History): string[] {
  const queries = new Set([...h.queries.values()].filter((q) => q.ordering === 'total').map((q) => q.id));
  if (queries.size === 0) return [];
  const sequences = new Map<string, string[]>();
  for (const d of h.deliveries) {
    if (d.ordering !== 'total') continue;
    const key = `${d.group}|${d.receiver}`;
    sequences.set(key, [...(sequences.get(key) ?? []), d.id]);
  }
  const out: string[] = [];
  const entries = [...sequences.entries()];
  for (let i = 0; i < entries.length && out.length < 10; i++)
    for (let j = i + 1; j < entries.length; j++) {
      const [ka, a] = entries[i];
      const [kb, b] = entries[j];
      if (ka.split('|')[0] !== kb.split('|')[0]) continue;
      const inverted = invertedQuery(a, b, queries);
      if (inverted !== null) out.push(`query order: ${ka} and ${kb} order ${inverted} differently`);
    }
  return out;
}

/** The first query of `a` that `b` orders differently against the messages both delivered, or null. */
function invertedQuery(
  a: readonly string[],
  b: readonly string[],
  queries: ReadonlySet<string>,
): string | null {
  const position = new Map(b.map((id, p) => [id, p]));
  const common = a.filter((id) => position.has(id));
  const p = common.map((id) => position.get(id)!);
  const suffixMin = new Array<number>(p.length + 1).fill(Infinity);
  for (let k = p.length - 1; k >= 0; k--) suffixMin[k] = Math.min(p[k], suffixMin[k + 1]);
  let prefixMax = -Infinity;
  for (let k = 0; k < p.length; k++) {
    if (queries.has(common[k]) && (prefixMax > p[k] || suffixMin[k + 1] < p[k])) return common[k];
    prefixMax = Math.max(prefixMax, p[k]);
  }
  return null;
}

export function checkQueries(h: History): string[] {
  const members = new Map(h.groupViews.map((g) => [`${g.group}@${g.viewId}`, g.members]));
  const out: string[] = [];
  for (const end of h.queryEnds.values()) {
    const q = h.queries.get(end.id);
    if (q === undefined) {
      out.push(`query answers: ${end.id} ended but was never issued`);
      continue;
    }
    const asked = askedBy(h, q, members);
    out.push(...answers(h, q, end, asked), ...completion(h, q, end, asked));
  }
  return [...out.slice(0, 20), ...queryOrder(h)];
}

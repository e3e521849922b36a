import { describe, expect, it } from 'vitest';
import type { QueryWant } from '../protocol';
import { History } from './history';
import { checkQueries } from './query-invariants';

const A = 'node1:7000#1';
const B = 'node2:7000#1';
const C = 'node3:7000#1';

/** A group view g@viewId of A, B, C (or `members`), reported by every member, in a system view of all three. */
function view(h: History, viewId: number, members = [A, B, C]): void {
  for (const p of members) {
    h.groupViews.push({ process: p, group: 'g', viewId, members });
    h.timeline.push({ kind: 'view', process: p, group: 'g', viewId });
    h.systemViews.push({ process: p, id: viewId, members: [A, B, C], groups: new Map([['g', members]]) });
  }
}

/** A's query `id`, its request delivered in g@5 at `deliveredAt`, ended with these answerers in view `endView`. */
function query(
  h: History,
  id: string,
  want: QueryWant,
  answerers: string[],
  deliveredAt = [A, B, C],
  endView = 5,
): void {
  h.queries.set(id, {
    id,
    querier: A,
    group: 'g',
    ordering: 'total',
    target: null,
    want,
    onTimeout: 'abort',
  });
  for (const r of deliveredAt) {
    h.deliveries.push({ receiver: r, group: 'g', viewId: 5, sender: A, ordering: 'total', id });
    h.timeline.push({ kind: 'deliver', process: r, group: 'g', id });
  }
  const list = answerers.map((from) => ({ from, named: from }));
  h.queryEnds.set(id, { id, answerers: list, silent: [], error: null, viewId: endView });
  h.timeline.push({ kind: 'queryEnd', process: A, group: 'g', id });
}

describe('query invariants', () => {
  it('accept a query answered by every member, and ones that completed with the survivors of a view change', () => {
    const h = new History();
    view(h, 5);
    query(h, 'q1', 'all', [A, B, C]);
    view(h, 6, [A, B]);
    query(h, 'q2', 'all', [A, B], [A, B, C], 6);
    expect(checkQueries(h)).toEqual([]);
  });

  it('count as gone a member out of the group in a decided view even when no member reported that group view', () => {
    const h = new History();
    view(h, 5);
    // View 6 (reported by nobody in g): C failed and B left g in the same change.
    h.systemViews.push({ process: A, id: 6, members: [A, B], groups: new Map([['g', [A]]]) });
    query(h, 'q1', 'all', [A], [A, B, C], 6);
    expect(checkQueries(h)).toEqual([]);
  });

  it('catch a query that timed out waiting for a member that had left the group', () => {
    const h = new History();
    view(h, 5);
    view(h, 6, [A, B]);
    query(h, 'q1', 'all', [A, B], [A, B, C], 6);
    h.queryEnds.set('q1', { ...h.queryEnds.get('q1')!, silent: [C] });
    expect(checkQueries(h)).toEqual([
      `query completion: q1 timed out waiting for ${C}, who had left the group`,
    ]);
  });

  it('catch a reply counted twice, an answer from a member that never delivered the request, a misattributed value', () => {
    const h = new History();
    view(h, 5);
    query(h, 'q1', 'all', [A, B, B]);
    query(h, 'q2', 1, [C], [A, B]);
    query(h, 'q3', 1, [B]);
    h.queryEnds.set('q3', { ...h.queryEnds.get('q3')!, answerers: [{ from: B, named: C }] });
    expect(checkQueries(h)).toEqual([
      `query answers: q1 counted a reply twice (${A},${B},${B})`,
      `query answers: q2 counted ${C}, who never delivered the request`,
      `query answers: q3 took ${C}'s reply as ${B}'s`,
    ]);
  });

  it('catch a query that completed short of its want while the silent member stayed in the group', () => {
    const h = new History();
    view(h, 5);
    query(h, 'q1', 'all', [A, B]);
    query(h, 'q2', 'majority', [A]);
    expect(checkQueries(h)).toEqual([
      `query completion: q1 (want all) completed with 2 of 3 answers though ${C} never left the group`,
      `query completion: q2 (want majority) completed with 1 of 3 answers though ${B},${C} never left the group`,
    ]);
  });

  it('catch an ordered query placed differently against an orderedSend at two members', () => {
    const h = new History();
    view(h, 5);
    query(h, 'q1', 'all', [A, B, C]);
    for (const r of [A, B])
      h.deliveries.push({ receiver: r, group: 'g', viewId: 5, sender: B, ordering: 'total', id: 'm1' });
    // A delivered q1 then m1; B must have delivered m1 first to invert them.
    h.deliveries.splice(
      h.deliveries.findIndex((d) => d.receiver === B && d.id === 'q1'),
      1,
    );
    h.deliveries.push({ receiver: B, group: 'g', viewId: 5, sender: A, ordering: 'total', id: 'q1' });
    expect(checkQueries(h)).toEqual([`query order: g|${A} and g|${B} order q1 differently`]);
  });
});

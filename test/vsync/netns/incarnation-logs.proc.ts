import { describe, expect, it } from 'vitest';
import type { MemberEvent } from '../member-process';
import { checkInvariants } from '../invariants';
import { fifoFromJoin, finalCompleteness, splitByIncarnation, SYSTEM_VIEW_ID_SPAN } from './incarnation-logs';

// The helpers that judge the partition test must themselves catch what they claim to.
const A = '10.231.0.10:7100';
const B = '10.231.0.11:7100';
const view = (id: number, members: string[], self: string): MemberEvent => ({
  event: 'view',
  group: 'g',
  id,
  members,
  rank: members.indexOf(self),
});
const deliver = (from: string, sender: string, seq: number, viewId: number): MemberEvent => ({
  event: 'deliver',
  group: 'g',
  from,
  seq,
  sender,
  viewId,
  ordering: 'total',
});
const sent = (sender: string): MemberEvent => ({ event: 'sent', group: 'g', seq: 0, sender });

/** a stays incarnation 1; b is excluded as incarnation 1 and joins again as 2, which receives a's #1 on. */
function history(bDelivers: MemberEvent[]): ReturnType<typeof splitByIncarnation> {
  const a = [
    view(1, [`${A}/1`, `${B}/1`], `${A}/1`),
    sent(`${A}/1`),
    deliver('a', `${A}/1`, 0, 1),
    view(2, [`${A}/1`], `${A}/1`),
    view(3, [`${A}/1`, `${B}/2`], `${A}/1`),
    sent(`${A}/1`),
    deliver('a', `${A}/1`, 1, 3),
  ];
  const b = [
    view(1, [`${A}/1`, `${B}/1`], `${B}/1`),
    deliver('a', `${A}/1`, 0, 1),
    view(3, [`${A}/1`, `${B}/2`], `${B}/2`),
    ...bDelivers,
  ];
  return splitByIncarnation(
    [
      { name: 'a', address: A, events: a },
      { name: 'b', address: B, events: b },
    ],
    'g',
  );
}

describe('incarnation logs', () => {
  it('splits a rejoined member into one log per incarnation and accepts a joiner starting mid-stream', () => {
    const split = history([deliver('a', `${A}/1`, 1, 3)]);
    expect([...split.logs.keys()].sort()).toEqual(['a/1', 'b/1', 'b/2']);
    expect(split.last.get('b')).toBe('b/2');
    expect(split.expected.sent.get('a/1')).toBe(2);
    expect(fifoFromJoin(split)).toEqual([]);
    expect(finalCompleteness(split)).toEqual([]);
  });

  it('reports a gap after the first delivery', () => {
    const split = history([deliver('a', `${A}/1`, 1, 3), deliver('a', `${A}/1`, 3, 3)]);
    expect(fifoFromJoin(split).some((line) => line.startsWith('fifo: b/2'))).toBe(true);
  });

  it('reports a last incarnation missing a message delivered in a common view', () => {
    expect(finalCompleteness(history([])).some((line) => line.startsWith('liveness: b/2'))).toBe(true);
  });

  it('tells the views of a re-founded system from the lost one, which numbered its views from 1 too', () => {
    // Both were lost at once (a total loss); the re-founded system's view 1 and 2 are not the lost system's.
    const a = [
      view(1, [`${A}/1`, `${B}/1`], `${A}/1`),
      sent(`${A}/1`),
      deliver('a', `${A}/1`, 0, 1),
      view(1, [`${A}/2`], `${A}/2`),
      view(2, [`${A}/2`, `${B}/2`], `${A}/2`),
      sent(`${A}/2`),
      deliver('a', `${A}/2`, 0, 2),
    ];
    const b = [
      view(1, [`${A}/1`, `${B}/1`], `${B}/1`),
      deliver('a', `${A}/1`, 0, 1),
      view(2, [`${A}/2`, `${B}/2`], `${B}/2`),
      deliver('a', `${A}/2`, 0, 2),
    ];
    const logs = (aStart: number[], bStart: number[]): ReturnType<typeof splitByIncarnation> =>
      splitByIncarnation(
        [
          { name: 'a', address: A, events: a, systemStarts: aStart },
          { name: 'b', address: B, events: b, systemStarts: bStart },
        ],
        'g',
      );
    const judged = (split: ReturnType<typeof splitByIncarnation>): string[] =>
      checkInvariants(split.logs, split.expected).filter((line) => !line.startsWith('fifo:'));
    // Without the re-found marked, the two view 1s (different members) read as one view: a violation.
    expect(judged(logs([], []))).not.toEqual([]);
    const split = logs([3], [2]);
    expect(judged(split)).toEqual([]);
    expect(split.logs.get('a/2')![0]).toMatchObject({ id: SYSTEM_VIEW_ID_SPAN + 1 });
    expect(finalCompleteness(split)).toEqual([]);
  });

  it('attributes a payload that names the wrong member to no identity', () => {
    const split = history([deliver('b', `${A}/1`, 1, 3)]);
    const record = split.logs.get('b/2')!.find((r) => r.event === 'deliver')!;
    expect(split.expected.identities.has((record as { from: string }).from)).toBe(false);
  });
});

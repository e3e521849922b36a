import { describe, expect, it } from 'vitest';
import { checkInvariants, type Expectations, type LogRecord } from './vsync/invariants';

// The checker that judges the real-process runs must itself catch each kind of violation.
const view = (id: number, members: string[]): LogRecord => ({ event: 'view', id, members });
const msg = (from: string, seq: number, viewId: number, ordering: 'fifo' | 'total' = 'total'): LogRecord => ({
  event: 'deliver',
  from,
  seq,
  sender: `${from}/1`,
  viewId,
  ordering,
});
const ab = ['a/1', 'b/1'];
const expected: Expectations = {
  identities: new Map([
    ['a', 'a/1'],
    ['b', 'b/1'],
  ]),
  sent: new Map([
    ['a', 2],
    ['b', 2],
  ]),
  survivors: ['a', 'b'],
};
const good = (): LogRecord[] => [
  view(1, ab),
  msg('a', 0, 1),
  msg('b', 0, 1),
  msg('a', 1, 1),
  msg('b', 1, 1),
  view(2, ['a/1']),
];

function check(a: LogRecord[], b: LogRecord[], exp: Expectations = expected): string[] {
  return checkInvariants(
    new Map([
      ['a', a],
      ['b', b],
    ]),
    exp,
  );
}

describe('checkInvariants', () => {
  it('accepts identical histories', () => {
    expect(check(good(), good())).toEqual([]);
  });

  it.each([
    ['view agreement', () => check(good(), [view(1, ['b/1']), ...good().slice(1)])],
    [
      'view synchrony',
      () =>
        check(good(), [
          view(1, ab),
          msg('a', 0, 1),
          msg('b', 0, 1),
          msg('a', 1, 1),
          view(2, ['a/1']),
          msg('b', 1, 2),
        ]),
    ],
    [
      'fifo',
      () =>
        check(good(), [
          view(1, ab),
          msg('a', 1, 1),
          msg('a', 0, 1),
          msg('b', 0, 1),
          msg('b', 1, 1),
          view(2, ['a/1']),
        ]),
    ],
    [
      'total order',
      () =>
        check(good(), [
          view(1, ab),
          msg('b', 0, 1),
          msg('a', 0, 1),
          msg('a', 1, 1),
          msg('b', 1, 1),
          view(2, ['a/1']),
        ]),
    ],
    ['integrity', () => check(good(), [...good().slice(0, 5), msg('b', 1, 1), view(2, ['a/1'])])],
    ['primary partition', () => check(good(), [...good(), view(1, ab)])],
    ['liveness', () => check(good(), good().slice(0, 4))],
  ])('reports a %s violation', (kind, run) => {
    expect(run().some((line) => line.startsWith(kind))).toBe(true);
  });
});

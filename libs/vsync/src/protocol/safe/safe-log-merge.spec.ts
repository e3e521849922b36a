import { describe, expect, it } from 'vitest';
import { mergeSafeLogs, type SafeLogEntry } from './safe-log-merge';
import { SafeLogConflictError } from './errors/safe-log-conflict-error';

const a = { address: 'a:1', incarnation: 1 };
const b = { address: 'b:1', incarnation: 1 };
const entry = (sender: typeof a, epoch: number, seq: number, lamport: number): SafeLogEntry => ({
  sender,
  epoch,
  seq,
  lamport,
  payload: new TextEncoder().encode(`${sender.address}/${epoch}/${seq}`),
});
const names = (entries: SafeLogEntry[]): string[] => entries.map((e) => new TextDecoder().decode(e.payload));

describe('mergeSafeLogs', () => {
  it('returns the union once, keeping the order of every log', () => {
    const x1 = entry(a, 1, 1, 1);
    const x2 = entry(b, 1, 1, 2);
    const x3 = entry(a, 1, 2, 3);
    // One member logged a tail the other had not reached; the second log is a prefix.
    expect(
      names(
        mergeSafeLogs([
          [x1, x2, x3],
          [x1, x2],
        ]),
      ),
    ).toEqual(['a:1/1/1', 'b:1/1/1', 'a:1/1/2']);
  });

  it('keeps a log order that differs from the epoch and Lamport order (a later system restarts view ids)', () => {
    const old = entry(a, 7, 1, 9);
    const fresh = entry(b, 1, 1, 1);
    expect(names(mergeSafeLogs([[old, fresh], [fresh]]))).toEqual(['a:1/7/1', 'b:1/1/1']);
  });

  it('orders records no log orders by epoch, Lamport time and sender, the same for every reader', () => {
    const x = entry(a, 2, 1, 5);
    const y = entry(b, 2, 1, 4);
    expect(names(mergeSafeLogs([[x], [y]]))).toEqual(names(mergeSafeLogs([[y], [x]])));
    expect(names(mergeSafeLogs([[x], [y]]))).toEqual(['b:1/2/1', 'a:1/2/1']);
  });

  it('refuses logs that order two records both ways', () => {
    const x = entry(a, 1, 1, 1);
    const y = entry(b, 1, 1, 2);
    expect(() =>
      mergeSafeLogs([
        [x, y],
        [y, x],
      ]),
    ).toThrow(SafeLogConflictError);
  });
});

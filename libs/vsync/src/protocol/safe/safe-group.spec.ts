import { describe, expect, it } from 'vitest';
import type { DataRecord } from '../wire-message';
import { SafeGroup, safeQuorum } from './safe-group';

const [a, b, c] = ['a:1', 'b:1', 'c:1'].map((address) => ({ address, incarnation: 1 }));
const record = (sender: typeof a, seq: number, epoch = 1): DataRecord => ({
  group: 'g',
  sender,
  epoch,
  seq,
  ordering: 'safe',
  lamport: seq,
  payload: new Uint8Array([seq]),
  queryId: 0,
});

function member(): { safe: SafeGroup; delivered: number[]; sent: string[] } {
  const delivered: number[] = [];
  const sent: string[] = [];
  const safe = new SafeGroup('g', a, 0, {
    send: (to) => void sent.push(to.address),
    deliver: (r) => void delivered.push(r.seq),
  });
  safe.epochOpened(1, [a, b, c], 1);
  return { safe, delivered, sent };
}

describe('SafeGroup', () => {
  it('needs a majority of the epoch members still in the group, itself included', () => {
    expect([1, 2, 3, 4, 5].map((n) => safeQuorum(n, 0))).toEqual([1, 2, 2, 3, 3]);
    expect(safeQuorum(5, 2)).toBe(2);
    expect(safeQuorum(2, 3)).toBe(2);
  });

  it('delivers in order once its own log and a majority hold a record, not before', () => {
    const { safe, delivered, sent } = member();
    safe.ordered(record(b, 1));
    safe.ordered(record(b, 2));
    safe.logged(safe.takeToLog());
    safe.deliverReady();
    expect(delivered).toEqual([]);
    expect(sent).toEqual(['b:1', 'c:1']);
    // c logged the first of b's records only.
    safe.receiveAccept(c, 1, [0, 1, 0]);
    safe.deliverReady();
    expect(delivered).toEqual([1]);
    safe.receiveAccept(b, 1, [0, 2, 0]);
    safe.deliverReady();
    expect(delivered).toEqual([1, 2]);
  });

  it('does not deliver on others acceptances while its own log lacks the record', () => {
    const { safe, delivered } = member();
    safe.ordered(record(b, 1));
    safe.receiveAccept(b, 1, [0, 1, 0]);
    safe.receiveAccept(c, 1, [0, 1, 0]);
    safe.deliverReady();
    expect(delivered).toEqual([]);
  });

  it('counts the quorum among the epoch members still in the group after a view change', () => {
    const { safe, delivered } = member();
    safe.ordered(record(b, 1));
    safe.logged(safe.takeToLog());
    // b and c left; a alone in the next epoch: its own log is a majority of the one eligible member.
    safe.epochOpened(2, [a], 2);
    safe.deliverReady();
    expect(delivered).toEqual([1]);
  });
});

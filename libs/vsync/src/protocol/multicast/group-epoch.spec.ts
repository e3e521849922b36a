import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../process-id';
import type { DataRecord, WireBody } from '../wire-message';
import { GroupEpoch, PACKED_RECORD_OVERHEAD_BYTES } from './group-epoch';

const a: ProcessId = { address: 'a:1', incarnation: 1 };
const b: ProcessId = { address: 'b:1', incarnation: 1 };
const c: ProcessId = { address: 'c:1', incarnation: 1 };
const BOUNDS = { ackThresholdMessages: 1 };

/** An epoch of a:1 in a group of three whose sends and outbox signals are recorded in order. */
function epochOfA(packBytes?: number) {
  const sent: { to: string; body: WireBody }[] = [];
  const delivered: DataRecord[] = [];
  let filled = 0;
  const epoch = new GroupEpoch(
    'g',
    5,
    5,
    [a, b, c],
    a,
    {
      deliver: (r) => void delivered.push(r),
      send: (to, body) => void sent.push({ to: to.address, body }),
      outboxFilled: () => void (filled += 1),
    },
    packBytes,
  );
  return { epoch, sent, delivered, filled: () => filled };
}

const fromB = (seq: number, lamport: number): DataRecord => ({
  group: 'g',
  sender: b,
  epoch: 5,
  seq,
  ordering: 'total',
  lamport,
  payload: new Uint8Array([seq]),
  queryId: 0,
});

describe('GroupEpoch packing', () => {
  it('holds own records in the outbox until flushed, then sends one body with all of them to each other member', () => {
    const { epoch, sent, filled } = epochOfA();
    epoch.send('fifo', new Uint8Array([1]));
    epoch.send('total', new Uint8Array([2]));
    expect(sent).toEqual([]);
    expect(filled()).toBe(1);
    epoch.flushOutbox();
    expect(sent.map((s) => s.to)).toEqual(['b:1', 'c:1']);
    expect(sent[0].body).toBe(sent[1].body);
    const body = sent[0].body;
    expect(body.kind === 'data' && body.records.map((r) => [r.seq, r.ordering])).toEqual([
      [1, 'fifo'],
      [2, 'total'],
    ]);
    epoch.flushOutbox();
    expect(sent).toHaveLength(2);
  });

  it('sends the outbox before an acknowledgement whose counts cover its records', () => {
    const { epoch, sent } = epochOfA();
    epoch.send('total', new Uint8Array([1]));
    // Threshold 1: receiving b's message acknowledges at once, announcing a's own count, which covers the outbox.
    epoch.receivePack([fromB(1, 2)], BOUNDS);
    expect(sent.filter((s) => s.to === 'b:1').map((s) => s.body.kind)).toEqual(['data', 'groupAck']);
  });

  it('sends the outbox before freezing, so the flush report and the members agree on what left', () => {
    const { epoch, sent } = epochOfA();
    epoch.send('fifo', new Uint8Array([1]));
    epoch.freeze();
    expect(sent.map((s) => s.body.kind)).toEqual(['data', 'data']);
    expect(() => epoch.send('fifo', new Uint8Array([2]))).toThrow(/send during a flush/);
  });

  it('starts a new pack when the next record would pass the pack bound', () => {
    const { epoch, sent } = epochOfA(2 * (10 + PACKED_RECORD_OVERHEAD_BYTES));
    for (let i = 0; i < 5; i++) epoch.send('fifo', new Uint8Array(10));
    epoch.flushOutbox();
    const packs = sent
      .filter((s) => s.to === 'b:1')
      .map((s) => (s.body.kind === 'data' ? s.body.records.length : 0));
    expect(packs).toEqual([2, 2, 1]);
  });

  it('frees the messages of a member alone in its group as it sends, without waiting for a tick', () => {
    const delivered: DataRecord[] = [];
    const alone = new GroupEpoch('g', 1, 1, [a], a, {
      deliver: (r) => void delivered.push(r),
      send: () => undefined,
      outboxFilled: () => undefined,
    });
    for (let i = 0; i < 1000; i++) alone.send(i % 2 === 0 ? 'total' : 'fifo', new Uint8Array([i % 256]));
    expect(delivered).toHaveLength(1000);
    expect(alone.heldRecords().length).toBeLessThanOrEqual(1);
    expect(alone.inFlight).toBe(0);
  });

  it('acknowledges a received pack once, however many of its records are total-order messages', () => {
    const { epoch, sent } = epochOfA();
    const pack = Array.from({ length: 8 }, (_, i) => fromB(i + 1, i + 1));
    epoch.receivePack(pack, { ackThresholdMessages: 4 });
    const acks = sent.filter((s) => s.body.kind === 'groupAck');
    expect(acks.map((s) => s.to)).toEqual(['b:1', 'c:1']);
    const ack = acks[0].body;
    expect(ack.kind === 'groupAck' && ack.received).toEqual([0, 8, 0]);
  });
});

/** An epoch of `self` in the group [a, b, c], whose sequencer is a. */
function epochOf(self: ProcessId) {
  const sent: { to: string; body: WireBody }[] = [];
  const delivered: number[] = [];
  const epoch = new GroupEpoch('g', 5, 5, [a, b, c], self, {
    deliver: (r) => void delivered.push(r.lamport),
    send: (to, body) => void sent.push({ to: to.address, body }),
    outboxFilled: () => undefined,
  });
  return { epoch, sent, delivered };
}

describe('GroupEpoch total order by group sequence number', () => {
  it('the sequencer numbers its own total-order records at once and delivers them as it sends', () => {
    const { epoch, delivered } = epochOf(a);
    expect(epoch.canNumber).toBe(true);
    epoch.send('total', new Uint8Array([1]));
    epoch.send('fifo', new Uint8Array([2]));
    epoch.send('total', new Uint8Array([3]));
    expect(delivered).toEqual([1, 0, 2]);
  });

  it('another member asks the sequencer for numbers and stamps its records with the ones granted', () => {
    const { epoch, sent } = epochOf(b);
    expect(epoch.canNumber).toBe(false);
    epoch.requestNumbers(2);
    epoch.requestNumbers(2);
    expect(sent.map((s) => [s.to, s.body])).toEqual([
      ['a:1', { kind: 'orderRequest', group: 'g', epoch: 5, count: 2 }],
    ]);
    epoch.receiveOrderGrant(c, 7, 2);
    expect(epoch.canNumber).toBe(false);
    epoch.receiveOrderGrant(a, 7, 2);
    const numbers = [epoch.send('total', new Uint8Array([1])), epoch.send('total', new Uint8Array([2]))];
    expect(numbers.map((r) => r.lamport)).toEqual([7, 8]);
    expect(epoch.canNumber).toBe(false);
  });

  it('the sequencer grants consecutive ranges, and none once frozen', () => {
    const { epoch, sent } = epochOf(a);
    epoch.send('total', new Uint8Array([1]));
    epoch.receiveOrderRequest(b, 3);
    epoch.receiveOrderRequest(c, 2);
    epoch.freeze();
    epoch.receiveOrderRequest(b, 1);
    const grants = sent.filter((s) => s.body.kind === 'orderGrant').map((s) => [s.to, s.body]);
    expect(grants).toEqual([
      ['b:1', { kind: 'orderGrant', group: 'g', epoch: 5, first: 2, count: 3 }],
      ['c:1', { kind: 'orderGrant', group: 'g', epoch: 5, first: 5, count: 2 }],
    ]);
  });

  it('delivers in number order and never across a gap; the flush delivers the rest in number order', () => {
    const { epoch, delivered } = epochOf(c);
    epoch.receivePack([fromB(1, 2), fromB(2, 3)], { ackThresholdMessages: 100 });
    expect(delivered).toEqual([]);
    const fromA = { ...fromB(1, 1), sender: a };
    epoch.receivePack([fromA], { ackThresholdMessages: 100 });
    expect(delivered).toEqual([1, 2, 3]);
    // Number 4 went to a member whose record never came: 5 waits for it until the flush.
    epoch.receivePack([fromB(3, 5)], { ackThresholdMessages: 100 });
    expect(delivered).toEqual([1, 2, 3]);
    epoch.freeze();
    epoch.finish([fromB(3, 5), fromB(4, 7), { ...fromB(1, 6), sender: a, seq: 2 }]);
    expect(delivered).toEqual([1, 2, 3, 5, 6, 7]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../process-id';
import type { DataRecord, WireBody } from '../wire-message';
import { GroupEpoch, PACKED_RECORD_OVERHEAD_BYTES } from './group-epoch';

const a: ProcessId = { address: 'a:1', incarnation: 1 };
const b: ProcessId = { address: 'b:1', incarnation: 1 };
const c: ProcessId = { address: 'c:1', incarnation: 1 };
const BOUNDS = { clockAnnounceIntervalMs: 1, ackThresholdMessages: 1 };

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

  it('sends the outbox before an acknowledgement whose clock covers its records', () => {
    const { epoch, sent } = epochOfA();
    epoch.send('total', new Uint8Array([1]));
    // Threshold 1: receiving b's message acknowledges at once, announcing a clock >= the outbox's lamport.
    epoch.receivePack([fromB(1, 1)], 0, BOUNDS);
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
    const { epoch, sent, delivered } = epochOfA();
    const pack = Array.from({ length: 8 }, (_, i) => fromB(i + 1, i + 1));
    epoch.receivePack(pack, 0, { clockAnnounceIntervalMs: 1, ackThresholdMessages: 4 });
    const acks = sent.filter((s) => s.body.kind === 'groupAck');
    expect(acks.map((s) => s.to)).toEqual(['b:1', 'c:1']);
    const ack = acks[0].body;
    expect(ack.kind === 'groupAck' && [ack.clock, ack.received]).toEqual([8, [0, 8, 0]]);
    // c has announced nothing yet, so nothing can be delivered in total order.
    expect(delivered).toEqual([]);
  });
});

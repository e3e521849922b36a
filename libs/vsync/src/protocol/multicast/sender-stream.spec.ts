import { describe, expect, it } from 'vitest';
import type { DataRecord } from '../wire-message';
import { SenderStream } from './sender-stream';

const sender = { address: '127.0.0.1:1', incarnation: 1 };
const record = (seq: number, bytes = 10): DataRecord => ({
  group: 'g',
  sender,
  epoch: 1,
  seq,
  ordering: 'fifo',
  lamport: 0,
  payload: new Uint8Array(bytes),
  queryId: 0,
});

describe('SenderStream', () => {
  it('accepts only the next sequence number and collects what is stable and delivered, in order', () => {
    const stream = new SenderStream();
    expect(stream.add(record(2))).toBe(false);
    for (let seq = 1; seq <= 5; seq++) expect(stream.add(record(seq))).toBe(true);
    expect(stream.received).toBe(5);
    expect(stream.heldBytes).toBe(50);
    stream.markDelivered(1);
    stream.markDelivered(3);
    // 2 is not delivered here yet: nothing after it goes either, stable or not.
    stream.collect(5);
    expect(stream.held.map((r) => r.seq)).toEqual([2, 3, 4, 5]);
    stream.markDelivered(2);
    stream.collect(2);
    expect(stream.held.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(stream.isDelivered(1)).toBe(true);
    expect(stream.isDelivered(3)).toBe(true);
    expect(stream.isDelivered(4)).toBe(false);
    expect(stream.isDelivered(9)).toBe(false);
    expect(stream.heldBytes).toBe(30);
  });

  it('keeps order and delivery marks while it wraps and grows far past its first slots', () => {
    const stream = new SenderStream();
    let seq = 0;
    let collected = 0;
    // Slide a window of 40 over the ring a few times, then hold 1,000 at once.
    for (let i = 0; i < 200; i++) {
      stream.add(record(++seq));
      stream.markDelivered(seq);
      if (seq - collected > 40) stream.collect(++collected);
    }
    const from = seq + 1;
    for (let i = 0; i < 1_000; i++) stream.add(record(++seq));
    for (let s = from; s <= seq; s += 2) stream.markDelivered(s);
    expect(stream.received).toBe(seq);
    expect(stream.held.map((r) => r.seq)).toEqual(
      Array.from({ length: seq - collected }, (_, i) => collected + 1 + i),
    );
    for (let s = from; s <= seq; s++) expect(stream.isDelivered(s)).toBe((s - from) % 2 === 0);
    for (let s = from + 1; s <= seq; s += 2) stream.markDelivered(s);
    stream.collect(seq);
    expect(stream.held).toEqual([]);
    expect(stream.heldBytes).toBe(0);
  });

  it('refuses to mark a message twice or one not received', () => {
    const stream = new SenderStream();
    stream.add(record(1));
    stream.markDelivered(1);
    expect(() => stream.markDelivered(1)).toThrow(/delivered twice/);
    expect(() => stream.markDelivered(2)).toThrow(/unreceived/);
  });
});

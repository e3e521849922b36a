import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameOutbox } from './frame-outbox';

describe('FrameOutbox', () => {
  it('sends at once while the window has room', () => {
    const box = new FrameOutbox<'frame'>(2);
    expect(box.offer('frame', 1)).toEqual({ send: 'frame', payload: 1 });
    expect(box.offer('frame', 2)).toEqual({ send: 'frame', payload: 2 });
    expect(box.unacknowledged).toBe(2);
  });

  it('keeps only the latest frame for a browser that does not acknowledge, counting the drops', () => {
    const box = new FrameOutbox<'frame'>(1);
    box.offer('frame', 1);
    for (let i = 2; i <= 10; i += 1) expect(box.offer('frame', i)).toBeUndefined();
    expect(box.counters.dropped).toBe(8);
    expect(box.ack()).toEqual({ send: 'frame', payload: 10 });
    expect(box.ack()).toBeUndefined();
  });

  it('lets each kind keep its own latest message', () => {
    const box = new FrameOutbox<'frame' | 'status'>(1);
    box.offer('frame', 'f1');
    box.offer('status', 's1');
    box.offer('frame', 'f2');
    expect(box.ack()).toEqual({ send: 'status', payload: 's1' });
    expect(box.ack()).toEqual({ send: 'frame', payload: 'f2' });
  });

  it('ignores acknowledgements of nothing', () => {
    const box = new FrameOutbox<'frame'>(1);
    expect(box.ack()).toBeUndefined();
    expect(box.counters.acked).toBe(0);
  });

  it('never has more than maxInFlight unacknowledged nor more than one waiting per kind, and loses nothing uncounted', () => {
    const op = fc.oneof(fc.constant('ack' as const), fc.constantFrom('a' as const, 'b' as const));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 200 }), (max, ops) => {
        const box = new FrameOutbox<'a' | 'b'>(max);
        let offered = 0;
        for (const o of ops) {
          if (o === 'ack') box.ack();
          else [offered] = [offered + 1, box.offer(o, offered)];
          expect(box.unacknowledged).toBeLessThanOrEqual(max);
          expect(box.waitingKinds).toBeLessThanOrEqual(2);
        }
        expect(box.counters.sent + box.counters.dropped + box.waitingKinds).toBe(offered);
      }),
    );
  });
});

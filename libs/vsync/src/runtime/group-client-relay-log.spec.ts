import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../protocol';
import { SubscriptionCursor, type SubscriptionGap } from './group-client-cursor';
import { DEFAULT_RELAY_BOUNDS, RelayLog } from './group-client-relay-log';
import type { PollAnswer, RelayEntry } from './group-client-relay-wire';

const A: ProcessId = { address: '127.0.0.1:1', incarnation: 1 };
const B: ProcessId = { address: '127.0.0.1:2', incarnation: 1 };

/** A member of a group that has had a subscriber: it delivered the group's marker, so it logs for subscribers. */
function log(bounds: Partial<typeof DEFAULT_RELAY_BOUNDS> = {}): RelayLog {
  const relay = quietLog(bounds);
  relay.startLogging();
  return relay;
}

/** A member of a group that has had no subscriber yet: it only counts deliveries. */
function quietLog(bounds: Partial<typeof DEFAULT_RELAY_BOUNDS> = {}): RelayLog {
  return new RelayLog({ ...DEFAULT_RELAY_BOUNDS, ...bounds });
}

function deliver(relay: RelayLog, viewId: number, sender: ProcessId, text: string, bytes = 0): void {
  const payload = new Uint8Array(Math.max(bytes, text.length)).fill(0);
  payload.set(new TextEncoder().encode(text));
  relay.deliver({ group: 'g', viewId, sender, ordering: 'fifo', payload, queryId: 0 });
}

function entriesOf(answer: PollAnswer | 'wait'): RelayEntry[] {
  if (answer === 'wait') return [];
  if (answer.kind !== 'entries') throw new Error(`expected entries, got ${answer.kind}: ${answer.reason}`);
  return [...answer.entries];
}

/** A subscriber: applies answers to a cursor, keeping the texts it received and the gaps it counted. */
function subscriber(id: string) {
  const cursor = new SubscriptionCursor();
  const texts: string[] = [];
  const gaps: SubscriptionGap[] = [];
  return {
    texts,
    gaps,
    request: () => ({ subscriber: id, cursor: cursor.state(), waitMs: 0 }),
    apply(answer: PollAnswer | 'wait') {
      if (answer !== 'wait' && answer.kind === 'entries' && answer.start) cursor.start(answer.start);
      for (const e of entriesOf(answer)) {
        if (e.kind === 'viewEnd') gaps.push(...cursor.viewEnd(e));
        else {
          const step = cursor.message(e);
          gaps.push(...step.gaps);
          if (step.fresh) texts.push(new TextDecoder().decode(e.payload!).replace(/\0+$/, ''));
        }
      }
    },
  };
}

describe('RelayLog and SubscriptionCursor', () => {
  it('relays deliveries from the moment of subscribing, in delivery order, and waits when nothing is new', () => {
    const relay = log();
    relay.installView(1);
    deliver(relay, 1, A, 'before');
    const s = subscriber('s');
    s.apply(relay.poll(s.request(), 0));
    expect(relay.poll(s.request(), 0)).toBe('wait');
    deliver(relay, 1, A, 'a1');
    deliver(relay, 1, B, 'b1');
    s.apply(relay.poll(s.request(), 0));
    expect(s.texts).toEqual(['a1', 'b1']);
    expect(relay.poll(s.request(), 0)).toBe('wait');
  });

  it('resumes at another member from the cursor: doubles dropped, nothing missed, across a view change', () => {
    const [first, second] = [log(), log()];
    const s = subscriber('s');
    for (const r of [first, second]) r.installView(1);
    s.apply(first.poll(s.request(), 0));
    for (const r of [first, second]) ['a1', 'a2'].forEach((t) => deliver(r, 1, A, t));
    for (const r of [first, second]) deliver(r, 1, B, 'b1');
    s.apply(first.poll(s.request(), 0));
    // The second member delivered B's message before A's second: the same messages, in another interleaving.
    deliver(second, 1, B, 'b2');
    deliver(second, 1, A, 'a3');
    second.installView(3);
    deliver(second, 3, A, 'a4');
    s.apply(second.poll(s.request(), 0));
    expect(s.texts).toEqual(['a1', 'a2', 'b1', 'b2', 'a3', 'a4']);
    expect(s.gaps).toEqual([]);
  });

  it('counts exactly what a resumed subscriber missed once the log no longer holds it', () => {
    const relay = log({ maxRelayLogEntries: 3 });
    const s = subscriber('s');
    relay.installView(1);
    s.apply(relay.poll(s.request(), 0));
    deliver(relay, 1, A, 'a1');
    s.apply(relay.poll(s.request(), 0));
    const other = log({ maxRelayLogEntries: 3 });
    other.installView(1);
    ['a1', 'a2', 'a3', 'a4'].forEach((t) => deliver(other, 1, A, t));
    other.installView(2);
    ['a5', 'a6'].forEach((t) => deliver(other, 2, A, t));
    s.apply(other.poll(s.request(), 0));
    expect(s.texts).toEqual(['a1', 'a5', 'a6']);
    expect(s.gaps.map((g) => g.count)).toEqual([3]);
  });

  it('reports a gap of unknown size when the new representative cannot link the views', () => {
    const first = log();
    const s = subscriber('s');
    first.installView(1);
    s.apply(first.poll(s.request(), 0));
    deliver(first, 1, A, 'a1');
    s.apply(first.poll(s.request(), 0));
    const joinedLater = log();
    joinedLater.installView(5);
    deliver(joinedLater, 5, A, 'a9');
    s.apply(joinedLater.poll(s.request(), 0));
    expect(s.texts).toEqual(['a1', 'a9']);
    expect(s.gaps).toHaveLength(1);
    expect(s.gaps[0].count).toBeUndefined();
  });

  it('holds nothing until the first subscriber, which starts the log and is relayed what follows', () => {
    const relay = quietLog();
    relay.installView(1);
    deliver(relay, 1, A, 'a1');
    relay.installView(2);
    deliver(relay, 2, A, 'a2');
    expect(relay.isLogging).toBe(false);
    const s = subscriber('s');
    s.apply(relay.poll(s.request(), 0));
    expect(relay.isLogging).toBe(true);
    deliver(relay, 2, A, 'a3');
    s.apply(relay.poll(s.request(), 0));
    expect(s.texts).toEqual(['a3']);
    expect(s.gaps).toEqual([]);
  });

  it('counts what a resumed subscriber missed at a member that started logging after it subscribed', () => {
    const [first, second] = [log(), quietLog()];
    const s = subscriber('s');
    for (const r of [first, second]) r.installView(1);
    s.apply(first.poll(s.request(), 0));
    // The first member fails before relaying these; the second delivers them before the group's marker.
    for (const r of [first, second]) ['a1', 'a2'].forEach((t) => deliver(r, 1, A, t));
    second.installView(2);
    deliver(second, 2, B, 'b1');
    second.startLogging();
    deliver(second, 2, B, 'b2');
    deliver(second, 2, A, 'a3');
    s.apply(second.poll(s.request(), 0));
    expect(s.texts).toEqual(['b2', 'a3']);
    expect(s.gaps.map((g) => g.count)).toEqual([2, 1]);
  });

  it('drops a subscriber whose unacknowledged bytes pass maxSubscriberQueueBytes, and says why once', () => {
    const relay = log({ maxSubscriberQueueBytes: 4_000, maxRelayLogBytes: 8_000 });
    relay.installView(1);
    const s = subscriber('slow');
    s.apply(relay.poll(s.request(), 0));
    for (let i = 0; i < 10; i++) deliver(relay, 1, A, `m${i}`, 1_000);
    const answer = relay.poll(s.request(), 0);
    expect(answer).toMatchObject({ kind: 'dropped' });
    expect((answer as { reason: string }).reason).toContain('maxSubscriberQueueBytes');
    expect(relay.stats.subscribersDropped).toBe(1);
    expect(relay.poll(s.request(), 0)).toMatchObject({ kind: 'entries' });
  });

  it('refuses subscribers past maxSubscribers and forgets idle ones after subscriberIdleMs', () => {
    const relay = log({ maxSubscribers: 1, subscriberIdleMs: 100 });
    relay.installView(1);
    expect(relay.poll({ subscriber: 'one', cursor: null, waitMs: 0 }, 0)).toMatchObject({ kind: 'entries' });
    expect(relay.poll({ subscriber: 'two', cursor: null, waitMs: 0 }, 50)).toMatchObject({ kind: 'refused' });
    expect(relay.poll({ subscriber: 'two', cursor: null, waitMs: 0 }, 200)).toMatchObject({
      kind: 'entries',
    });
    expect(relay.stats).toMatchObject({ subscribersRefused: 1, subscribersExpired: 1 });
  });

  it('serves a subscriber that keeps up while the log evicts far more entries than it holds', () => {
    const relay = log({ maxRelayLogEntries: 100 });
    relay.installView(1);
    const s = subscriber('s');
    s.apply(relay.poll(s.request(), 0));
    for (let i = 0; i < 2_000; i++) {
      deliver(relay, 1, i % 2 === 0 ? A : B, `m${i}`);
      if (i % 50 === 49) s.apply(relay.poll(s.request(), 0));
    }
    expect(s.texts).toEqual(Array.from({ length: 2_000 }, (_, i) => `m${i}`));
    expect(s.gaps).toEqual([]);
  });

  it('the cursor drops a message it saw, and one of a view it finished', () => {
    const cursor = new SubscriptionCursor();
    cursor.start({ viewId: 1, counts: [] });
    const m = { kind: 'message', viewId: 1, stream: 's', index: 1, sender: A, ordering: 'fifo' } as const;
    expect(cursor.message({ ...m, payload: new Uint8Array(1) }).fresh).toBe(true);
    expect(cursor.message({ ...m, payload: new Uint8Array(1) }).fresh).toBe(false);
    expect(cursor.viewEnd({ kind: 'viewEnd', viewId: 1, nextViewId: 4, counts: [['s', 1]] })).toEqual([]);
    expect(cursor.message({ ...m, index: 2, payload: new Uint8Array(1) })).toEqual({
      fresh: false,
      gaps: [],
    });
    expect(cursor.message({ ...m, viewId: 4, payload: new Uint8Array(1) })).toEqual({
      fresh: true,
      gaps: [],
    });
  });

  it('relays a payload too large for one answer as a counted gap, not a failure', () => {
    const relay = log({ maxPollBatchBytes: 100 });
    relay.installView(1);
    const s = subscriber('s');
    s.apply(relay.poll(s.request(), 0));
    deliver(relay, 1, A, 'big', 500);
    deliver(relay, 1, A, 'small');
    // One entry per answer at this bound: two polls.
    s.apply(relay.poll(s.request(), 0));
    s.apply(relay.poll(s.request(), 0));
    expect(s.texts).toEqual(['small']);
    expect(s.gaps.map((g) => g.count)).toEqual([1]);
  });
});

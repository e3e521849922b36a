import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec/message-codec';
import type { CoreConfig } from './core-config';
import type { CoreOutput } from './core-io';
import { ProcessCore } from './process-core';

const BOUNDS = {
  tickIntervalMs: 10,
  heartbeatIntervalMs: 50,
  failureTimeoutMs: 300,
  retransmitIntervalMs: 40,
  viewChangeTimeoutMs: 200,
  joinRetryMs: 100,
};

/** Cores wired through the codec with 5 ms hops; a crashed core receives and answers nothing. */
class Net {
  readonly cores = new Map<string, ProcessCore>();
  readonly crashed = new Set<string>();
  /** Links (`from->to`) whose messages are lost. */
  readonly lossy = new Set<string>();
  now = 0;
  private inFlight: { from: string; to: string; bytes: Uint8Array }[] = [];

  add(address: string, extra: Partial<CoreConfig> = {}): ProcessCore {
    const core = new ProcessCore({ ...BOUNDS, ...extra, self: { address, incarnation: 1 }, seeds: ['a:1'] });
    this.cores.set(address, core);
    this.feed(address, { type: 'start', nowMs: this.now });
    return core;
  }

  feed(address: string, input: Parameters<ProcessCore['step']>[0]): void {
    if (this.crashed.has(address)) return;
    for (const o of this.cores.get(address)!.step(input)) this.carry(address, o);
  }

  run(ms: number): void {
    for (const end = this.now + ms; this.now < end;) {
      this.now += 5;
      const batch = this.inFlight;
      this.inFlight = [];
      for (const m of batch)
        this.feed(m.to, {
          type: 'receive',
          fromAddress: m.from,
          message: decodeMessage(m.bytes),
          nowMs: this.now,
        });
      if (this.now % 10 === 0)
        for (const a of this.cores.keys()) this.feed(a, { type: 'tick', nowMs: this.now });
    }
  }

  private carry(from: string, o: CoreOutput): void {
    if (o.type === 'send' && this.cores.has(o.toAddress) && !this.lossy.has(`${from}->${o.toAddress}`))
      this.inFlight.push({ from, to: o.toAddress, bytes: encodeMessage(o.message) });
  }
}

function threeProcesses(extra: Partial<CoreConfig> = {}): Net {
  const net = new Net();
  for (const a of ['a:1', 'b:1', 'c:1']) {
    net.add(a, extra);
    net.run(300);
  }
  return net;
}

function inGroup(net: Net): Net {
  for (const [i, address] of ['a:1', 'b:1', 'c:1'].entries())
    net.feed(address, { type: 'join', group: 'g', requestId: 100 + i, nowMs: net.now });
  net.run(500);
  return net;
}

describe('ProcessCore metrics', () => {
  it('counts a suspicion once, one view change and its flush time', () => {
    const net = threeProcesses();
    const a = net.cores.get('a:1')!;
    expect(a.systemView!.members).toHaveLength(3);
    const before = a.metrics();
    expect(before.suspicions).toBe(0);

    net.crashed.add('c:1');
    net.run(2000);

    expect(a.systemView!.members.map((m) => m.address)).toEqual(['a:1', 'b:1']);
    const after = a.metrics();
    // c is suspected once in its last view, however many ticks it stays silent.
    expect(after.suspicions).toBe(1);
    expect(after.viewChanges).toBe(before.viewChanges + 1);
    // The flush crosses the network (5 ms a hop here), so it takes time, and the total holds every flush.
    expect(after.lastFlushMs).toBeGreaterThan(0);
    expect(after.flushMsTotal).toBeGreaterThanOrEqual(before.flushMsTotal + after.lastFlushMs);
  });

  it('counts the messages a lossy link made it send again', () => {
    const net = inGroup(threeProcesses());
    const b = net.cores.get('b:1')!;
    const before = b.metrics().retransmittedMessages;
    net.lossy.add('b:1->c:1');
    const multicasts = [{ requestId: 1, ordering: 'fifo' as const, payload: new Uint8Array([1]) }];
    net.feed('b:1', { type: 'multicastBatch', group: 'g', multicasts, nowMs: net.now });
    net.run(150);
    net.lossy.clear();
    net.run(300);
    expect(b.metrics().retransmittedMessages).toBeGreaterThan(before);
    expect(net.cores.get('c:1')!.systemView!.members).toHaveLength(3);
  });

  it('reports the multicasts waiting for room in the send window', () => {
    const net = inGroup(threeProcesses({ sendWindowMessages: 2, ackThresholdMessages: 1 }));
    const b = net.cores.get('b:1')!;
    const payload = new Uint8Array([1]);
    const multicasts = [1, 2, 3, 4, 5].map((requestId) => ({
      requestId,
      ordering: 'fifo' as const,
      payload,
    }));
    net.feed('b:1', { type: 'multicastBatch', group: 'g', multicasts, nowMs: net.now });
    // Two fill the window; three wait until acknowledgements open it.
    expect(b.metrics().sendQueueMessages).toBe(3);
    net.run(500);
    expect(b.metrics().sendQueueMessages).toBe(0);
  });
});

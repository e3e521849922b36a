import { afterEach, describe, expect, it } from 'vitest';
import { sameProcess } from '../protocol';
import { Group } from './group';
import { GroupClient } from './group-client';
import type { SubscribedMessage } from './group-client-subscription';
import type { SubscriptionGap } from './group-client-cursor';
import { VsyncProcess } from './vsync-process';

const NOTE = 7;
// Members leave gracefully here; a failure timeout long enough that a loaded machine's pauses suspect nobody.
const FAST = { core: { heartbeatIntervalMs: 100, failureTimeoutMs: 3000 }, shutdownLingerMs: 20 };
const SECRET = 'results-secret-of-at-least-32-characters!';
const processes: VsyncProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.shutdown()));
});

function process(seed?: string): VsyncProcess {
  const p = new VsyncProcess({ ...FAST, seeds: seed ? [seed] : undefined, founder: seed === undefined });
  processes.push(p);
  return p;
}

/** Three members of group `r` (secured with SECRET when asked) and an outsider in the system, in group `lobby`. */
async function members(secured: boolean): Promise<{ groups: Group[]; outsider: VsyncProcess }> {
  const groups: Group[] = [];
  for (let i = 0; i < 3; i++) {
    const g = new Group('r', { process: process(groups[0]?.process.self.address) });
    if (secured) g.setSecure(SECRET);
    g.handle(NOTE, () => undefined);
    await g.join();
    groups.push(g);
  }
  const outsider = process(groups[0].process.self.address);
  await new Group('lobby', { process: outsider }).join();
  return { groups, outsider };
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('GroupClient.subscribe', () => {
  it('receives the group multicasts through a representative and resumes at another when it leaves', async () => {
    const { groups, outsider } = await members(false);
    // A group nobody subscribed to logs nothing for subscribers; the first subscription makes every member log.
    expect(groups.map((g) => g.relayStats.logging)).toEqual([false, false, false]);
    const client = new GroupClient('r', outsider, { failoverMarginMs: 500 });
    const got: number[] = [];
    const gaps: SubscriptionGap[] = [];
    const subscription = client.subscribe((m: SubscribedMessage) => got.push(m.args[0] as number), {
      pollWaitMs: 200,
      onGap: (gap) => gaps.push(gap),
    });
    await until('the subscription to start', () => subscription.position !== null);
    const rep = client.representative!;
    await until('every member to log for the subscriber', () => groups.every((g) => g.relayStats.logging));
    const sender = groups.find((g) => !sameProcess(g.process.self, rep))!;
    for (let i = 1; i <= 200; i++) {
      await sender.send(NOTE, i);
      if (i === 80) await groups.find((g) => sameProcess(g.process.self, rep))!.process.shutdown();
    }
    await until('every message', () => got.length >= 200);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(gaps).toEqual([]);
    expect(subscription.stats.failovers).toBeGreaterThanOrEqual(1);
    expect(sameProcess(client.representative!, rep)).toBe(false);
    await subscription.close();
  }, 60_000);

  it('a client without the secret of a secured group receives nothing; one holding it receives everything', async () => {
    const { groups, outsider } = await members(true);
    const keyless = new GroupClient('r', outsider, { failoverMarginMs: 300, maxAttempts: 2 });
    const stolen: unknown[] = [];
    const errors: Error[] = [];
    const spy = keyless.subscribe((m) => stolen.push(m.args), {
      pollWaitMs: 100,
      onError: (e) => errors.push(e),
    });
    const holder = process(groups[0].process.self.address);
    await new Group('lobby', { process: holder }).join();
    const got: number[] = [];
    const client = new GroupClient('r', holder, { groupSecret: SECRET });
    const subscription = client.subscribe((m) => got.push(m.args[0] as number), { pollWaitMs: 100 });
    await until('the subscription to start', () => subscription.position !== null);
    for (let i = 1; i <= 20; i++) await groups[0].send(NOTE, i);
    await until('every message', () => got.length >= 20);
    await until('the keyless client to be refused', () => errors.length > 0);
    expect(stolen).toEqual([]);
    expect(spy.position).toBeNull();
    await Promise.all([spy.close(), subscription.close()]);
  }, 60_000);
});

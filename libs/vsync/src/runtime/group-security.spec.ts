import { afterEach, describe, expect, it } from 'vitest';
import { GroupAccessError } from '../protocol';
import { Group } from './group';
import { VsyncProcess } from './vsync-process';

const SYSTEM = 's'.repeat(40);
const KEY = 'k'.repeat(40);
const UPDATE = 1;
const processes: VsyncProcess[] = [];

function member(seeds?: string[]): VsyncProcess {
  const p = new VsyncProcess({ secret: SYSTEM, ...(seeds ? { seeds } : {}) });
  processes.push(p);
  return p;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.shutdown()));
});

describe('a secured group', () => {
  it('delivers sealed traffic among key holders and refuses a joiner with the system secret but another key', async () => {
    const founder = member();
    await founder.start();
    const seeds = [founder.self.address];
    const keyed = [founder, member(seeds), member(seeds)].map((p) =>
      new Group('vault', { process: p }).setSecure(KEY),
    );
    const seen = keyed.map(() => [] as string[]);
    keyed.forEach((g, i) => g.handle(UPDATE, (text: string) => seen[i].push(text)));
    for (const g of keyed) await g.join();
    await until(() => keyed.every((g) => g.view?.members.length === 3));

    const intruder = new Group('vault', { process: member(seeds) }).setSecure('w'.repeat(40));
    const intruderSeen: string[] = [];
    intruder.handle(UPDATE, (text: string) => intruderSeen.push(text));
    await expect(intruder.join()).rejects.toBeInstanceOf(GroupAccessError);

    await keyed[1].orderedSend(UPDATE, 'after the refusal');
    const answers = await keyed[2].query('all', UPDATE, 'asked');
    await until(() => seen.every((s) => s.includes('after the refusal')));
    expect(answers).toHaveLength(3);
    expect(intruderSeen).toEqual([]);
    expect(keyed.every((g) => g.view?.members.length === 3)).toBe(true);
    expect(founder.stats().groupSecurity.sealed).toBeGreaterThan(0);
    expect(founder.stats().core.refusedMessages).toBeGreaterThan(0);
  });

  it('refuses a keyless joiner, whose join fails with GroupAccessError', async () => {
    const founder = member();
    await new Group('vault', { process: founder }).setSecure(KEY).join();
    const keyless = new Group('vault', { process: member([founder.self.address]) });
    await expect(keyless.join()).rejects.toThrow(/secured and this process holds no key/);
  });
});

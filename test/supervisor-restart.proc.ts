import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import {
  alive,
  CLUSTER_ENTRY,
  isClusterEvent,
  isSpawned,
  linesOf,
  startCluster,
} from './supervision/cluster-run';

const DESIRED_STATE = 'test/supervision/desired-state.yaml';

const started: LocalProcess[] = [];
afterAll(() => {
  for (const p of started) p.kill();
});

function pidOf(cluster: LocalProcess, instance: string): number {
  return linesOf(cluster, isSpawned(instance)).at(-1)!.pid as number;
}

describe('supervisor: restarts through group views (2 supervisors, 2 members, 1 member with a bad configuration)', () => {
  it('restarts a SIGKILLed member and the SIGKILLed acting supervisor, and never retries exit code 2', async () => {
    const cluster = await startCluster(['--desired-state', DESIRED_STATE]);
    started.push(cluster);
    const text = (): string => `${cluster.lines.map((l) => JSON.stringify(l)).join('\n')}\n${cluster.stderr}`;

    // The configuration error is reported once, at once, with the line that names it.
    const configError = await cluster.waitFor(
      isClusterEvent('config-error', 'broken/0'),
      'config error',
      60_000,
    );
    expect(configError.message).toBe('member: --exit-code given: refusing to start (a configuration error)');
    const acting = await cluster.waitFor(
      (l) => l.event === 'role' && l.acting === true,
      'an acting supervisor',
    );
    await cluster.waitFor(isSpawned('member/1'), 'member/1 started');

    // SIGKILL a member: restarted at the same address, the event gives the time until it rejoined.
    const member = pidOf(cluster, 'member/1');
    process.kill(member, 'SIGKILL');
    const restarted = await cluster.waitFor(
      isClusterEvent('restarted', 'member/1'),
      'member/1 rejoined',
      60_000,
    );
    expect(restarted.reason, text()).toBe('exited (signal SIGKILL)');
    expect(restarted.rejoinMs as number).toBeGreaterThan(0);
    expect(pidOf(cluster, 'member/1')).not.toBe(member);

    // SIGKILL the acting supervisor: the other takes over, and the killed one is restarted.
    const actingInstance = acting.instance as string;
    const other = actingInstance === 'supervisor/0' ? 'supervisor/1' : 'supervisor/0';
    process.kill(pidOf(cluster, actingInstance), 'SIGKILL');
    await cluster.waitFor((l) => l.event === 'role' && l.instance === other, `${other} taking over`, 60_000);
    const back = await cluster.waitFor(
      isClusterEvent('restarted', actingInstance),
      'supervisor rejoined',
      60_000,
    );
    expect(back.reason, text()).toBe('exited (signal SIGKILL)');

    // Ctrl-C: every process stops, none is left behind.
    const pids = cluster.lines
      .filter((l) => l.event === 'process' && l.kind === 'spawned')
      .map((l) => l.pid as number);
    cluster.child.kill('SIGINT');
    expect(await cluster.exited).toBe(0);
    expect(pids.filter(alive), text()).toEqual([]);
    expect(linesOf(cluster, isClusterEvent('config-error')), text()).toHaveLength(1);
    expect(linesOf(cluster, isSpawned('broken/0'))).toHaveLength(1);
    expect(linesOf(cluster, isClusterEvent('restarting', 'broken/0'))).toHaveLength(0);
  });

  it('refuses a bad desired-state file with exit code 2 and one line naming the file and line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-supervisor-'));
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      bad,
      'services:\n  member:\n    entry: test/supervision/member.ts\n    instances: many\n',
    );
    for (const entry of [CLUSTER_ENTRY, 'apps/supervisor/src/main.ts']) {
      const p = LocalProcess.tsx(entry, ['--desired-state', bad]);
      started.push(p);
      expect(await p.exited).toBe(2);
      expect(p.stderr.trim()).toMatch(
        new RegExp(`^\\w+: ${bad}:4: services.member.instances must be an integer`),
      );
      expect(p.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

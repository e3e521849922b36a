import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FileStoreClient } from '@gridcloud/filestore';
import { LocalProcess, type JsonLine } from '@gridcloud/supervision';
import { CLUSTER_ENTRY, isClusterEvent, isSpawned, linesOf, startCluster } from './supervision/cluster-run';

const started: LocalProcess[] = [];
afterAll(() => {
  for (const p of started) p.kill();
});

const isStatus = (l: JsonLine): boolean => l.event === 'status';

/** Process groups still holding a process: each instance runs in a group of its own, led by its first pid. */
function survivors(groups: readonly number[]): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  const wanted = new Set(groups);
  return table.split('\n').filter((row) => wanted.has(Number(row.trim().split(/\s+/)[1])));
}

/**
 * The file-store replicas the cluster started: ingest archives its raw frames there, and an append through one
 * replica is acknowledged by two and reads back the same from each of the three.
 */
async function checkFileStore(urls: string[] | undefined, text: () => string): Promise<void> {
  expect(urls, text()).toHaveLength(3);
  const client = new FileStoreClient({ urls: urls! });
  await vi.waitFor(
    async () => {
      const archived = await client.list('c37118/60000/');
      expect(archived.length, text()).toBeGreaterThan(0);
      expect(archived[0].records).toBeGreaterThan(0);
    },
    { timeout: 30_000, interval: 1000 },
  );
  const data = Buffer.from('cluster-start check');
  const ack = await client.append('checks/cluster-start', [{ userTimeNs: 5_000_000_000n, data }]);
  expect(ack).toMatchObject({ records: 1, durable: true });
  expect(ack.replicas).toBeGreaterThanOrEqual(2);
  for (const url of urls!) {
    const one = new FileStoreClient({ urls: [url] });
    await vi.waitFor(
      async () => {
        const read = [];
        for await (const r of one.read('checks/cluster-start', { timeNs: 5_000_000_000n, clock: 'user' }))
          read.push(Buffer.from(r.data).toString());
        expect(read, url).toEqual(['cluster-start check']);
      },
      { timeout: 10_000 },
    );
  }
}

describe('npm start (the embedded cluster)', () => {
  it('estimates flow; ingest archives frames in the file store, which takes and serves appends; a SIGKILLed ingest is restarted and the rates stay positive; Ctrl-C leaves no process', async () => {
    const cluster = await startCluster(['--duration-s', '0']);
    started.push(cluster);
    const text = (): string => `${cluster.lines.map((l) => JSON.stringify(l)).join('\n')}\n${cluster.stderr}`;
    // Estimates may flow from two estimators before the third has joined the estimators group (on a loaded machine
    // its join and state transfer take a while): wait for all three.
    const flowing = (l: JsonLine): boolean =>
      isStatus(l) &&
      (l.estimatesPerS as number) > 20 &&
      (l.maxVoltageErrorPu as number) < 0.05 &&
      (l.estimators as string[]).length === 3;
    const first = await cluster.waitFor(flowing, 'estimates flowing from the three estimators', 100_000);
    expect((first.latencyMs as { p50: number }).p50).toBeGreaterThan(0);
    // The agent's own GET /health: in the agents view, with every instance it runs.
    const healthUrl = /health at (\S+)/.exec(String(cluster.lines[0].text))?.[1];
    expect(healthUrl, text()).toBeDefined();
    const health = await fetch(healthUrl!);
    expect(health.status).toBe(200);
    const report = (await health.json()) as {
      joined: boolean;
      instances: { instance: string; state: string }[];
    };
    expect(report.joined).toBe(true);
    expect(report.instances.filter((i) => i.state === 'running').map((i) => i.instance)).toContain(
      'ingest/0',
    );

    await checkFileStore(cluster.lines.find((l) => l.event === 'filestore')?.urls as string[], text);

    const ingest = linesOf(cluster, isSpawned('ingest/0')).at(-1)!.pid as number;
    const killedAt = cluster.lines.length;
    process.kill(ingest, 'SIGKILL');
    await cluster.waitFor(isClusterEvent('restarted', 'ingest/0'), 'ingest restarted', 60_000);
    const after = (l: JsonLine): boolean => cluster.lines.indexOf(l) > killedAt && flowing(l);
    const resumed = await cluster.waitFor(after, 'estimates flowing again', 60_000);
    expect(resumed.restarts, text()).toBe(1);
    for (const s of cluster.lines.filter(isStatus)) {
      for (const rate of ['framesPerS', 'snapshotsPerS', 'estimatesPerS'])
        expect(s[rate] === null || (s[rate] as number) >= 0, `${rate} in ${JSON.stringify(s)}`).toBe(true);
    }

    const groups = cluster.lines
      .filter((l) => l.event === 'process' && l.kind === 'spawned')
      .map((l) => l.pid as number);
    cluster.child.kill('SIGINT');
    expect(await cluster.exited, text()).toBe(0);
    expect(cluster.lines.at(-1)).toMatchObject({ event: 'log', text: 'cluster stopped' });
    expect(cluster.lines.filter(isStatus).length).toBeGreaterThan(3);
    expect(survivors(groups)).toEqual([]);
  });

  it('a bad --case is a configuration error of pmu-sim: reported at once with its cause, never retried', async () => {
    const cluster = await startCluster(['--case', '/nonexistent/case.m', '--duration-s', '0']);
    started.push(cluster);
    const error = await cluster.waitFor(isClusterEvent('config-error', 'pmu-sim/0'), 'config error', 100_000);
    expect(error.message).toMatch(/nonexistent\/case\.m/);
    // Its restart budget is untouched: wait a few status lines to see that nothing retries it.
    const seen = cluster.lines.length;
    await cluster.waitFor(
      (l) => isStatus(l) && cluster.lines.indexOf(l) > seen + 3,
      'later status lines',
      30_000,
    );
    expect(linesOf(cluster, isSpawned('pmu-sim/0'))).toHaveLength(1);
    expect(linesOf(cluster, isClusterEvent('restarting', 'pmu-sim/0'))).toEqual([]);
    cluster.child.kill('SIGINT');
    expect(await cluster.exited).toBe(0);
  });

  it('refuses a bad flag with one line naming it and exits 2; --help prints usage and exits 0', async () => {
    const bad = LocalProcess.tsx(CLUSTER_ENTRY, ['--fps', 'fast']);
    started.push(bad);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr.trim()).toMatch(
      /^cluster: --fps must be an integer in 1\.\.240 frames\/s, got 'fast'$/,
    );
    const help = LocalProcess.tsx(CLUSTER_ENTRY, ['--help']);
    expect(await help.exited).toBe(0);
  });
});

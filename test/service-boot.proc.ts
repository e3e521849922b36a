import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { LocalProcess, type JsonLine } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';

/**
 * pmu-sim and ingest as cluster apps booted through Nest: with --vsync-seeds each joins its liveness group
 * (service.pmu-sim, service.ingest) on one vsync process, ingest also the estimator group it publishes to; both
 * answer GET /health (joined groups, 200) and GET /metrics (vsync and their own figures) on --http-port; settings
 * fall back to GRIDCLOUD_ variables; SIGTERM prints the `stopped` line and exits 0; a bad setting or a busy port is
 * one line naming it, exit 2.
 */
const CASE14 = casePath('case14');

interface Health {
  status: string;
  details: {
    vsync: { inPrimaryPartition: boolean; groups: Record<string, { joined: boolean; members: string[] }> };
  };
}

async function json<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function run(entry: string, args: readonly string[], env: Record<string, string> = {}) {
  const p = LocalProcess.tsx(entry, args, { env });
  const code = await p.exited;
  await new Promise((r) => setTimeout(r, 50));
  return { code, stderr: p.stderr.trim(), stdoutLines: p.lines.length };
}

describe('pmu-sim and ingest booted through Nest (processes)', () => {
  const procs: LocalProcess[] = [];
  let sim: LocalProcess;
  let ingest: LocalProcess;
  let simReady: JsonLine;
  let ingestReady: JsonLine;

  beforeAll(async () => {
    const vsyncPort = await freePort();
    const seeds = `127.0.0.1:${vsyncPort}`;
    // pmu-sim is the first seed here, so it founds the system; ingest never founds.
    sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      CASE14,
      '--tcp',
      '127.0.0.1:0',
      '--vsync-port',
      String(vsyncPort),
      '--vsync-seeds',
      seeds,
      '--http-port',
      '0',
    ]);
    procs.push(sim);
    simReady = await sim.waitFor((l) => l.event === 'ready', 'pmu-sim ready', 60_000);
    const targets = (simReady.streams as { idcode: number }[]).flatMap((s) => [
      '--tcp',
      `${s.idcode}@127.0.0.1:${simReady.tcpPort as number}`,
    ]);
    ingest = LocalProcess.tsx(INGEST_ENTRY, [...targets, '--http-port', '0'], {
      env: { GRIDCLOUD_VSYNC_SEEDS: seeds, GRIDCLOUD_STATS_INTERVAL_MS: '300' },
    });
    procs.push(ingest);
    ingestReady = await ingest.waitFor((l) => l.event === 'ready', 'ingest ready', 60_000);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
  });

  it('answers /health with its liveness group joined, and ingest with the estimator group too', async () => {
    expect(simReady.httpPort).toEqual(expect.any(Number));
    const simHealth = await json<Health>(`http://127.0.0.1:${simReady.httpPort as number}/health`);
    expect(simHealth.status).toBe(200);
    expect(simHealth.body.details.vsync.inPrimaryPartition).toBe(true);
    expect(simHealth.body.details.vsync.groups['service.pmu-sim'].joined).toBe(true);

    const ingestHealth = await json<Health>(`http://127.0.0.1:${ingestReady.httpPort as number}/health`);
    expect(ingestHealth.status).toBe(200);
    expect(ingestHealth.body.details.vsync.groups['service.ingest'].joined).toBe(true);
    expect(ingestHealth.body.details.vsync.groups.estimators.joined).toBe(true);
  });

  it("serves /metrics with vsync figures and the app's own, and stats lines from a GRIDCLOUD_ variable", async () => {
    const metrics = await until(async () => {
      const text = await (await fetch(`http://127.0.0.1:${ingestReady.httpPort as number}/metrics`)).text();
      return /^gridcloud_ingest_snapshots_total [1-9]/m.test(text) ? text : undefined;
    }, 'snapshots counted in /metrics');
    expect(metrics).toMatch(/^gridcloud_vsync_group_members\{group="estimators"\} 1$/m);
    expect(metrics).toMatch(/^gridcloud_vsync_in_primary_partition 1$/m);
    expect(metrics).toMatch(/^gridcloud_vsync_views_installed_total [1-9]/m);
    const simMetrics = await (await fetch(`http://127.0.0.1:${simReady.httpPort as number}/metrics`)).text();
    expect(simMetrics).toMatch(/^gridcloud_pmu_sim_slots_sent_total [1-9]/m);
    expect(simMetrics).toMatch(/^gridcloud_vsync_system_view_id [1-9]/m);

    await ingest.waitFor((l) => l.event === 'stats', 'a stats line', 10_000);
  });

  it('stops on SIGTERM with the stopped line, exit 0, and leaves the liveness group', async () => {
    const simHealthUrl = `http://127.0.0.1:${simReady.httpPort as number}/health`;
    const viewId = async (): Promise<number> =>
      (await json<{ details: { vsync: { systemViewId: number } } }>(simHealthUrl)).body.details.vsync
        .systemViewId;
    const before = await viewId();
    expect(await ingest.stop()).toBe(0);
    expect(ingest.lines.at(-1)).toMatchObject({ event: 'stopped' });
    const stats = ingest.lines.at(-1)!.aligner as { snapshots: number };
    expect(stats.snapshots).toBeGreaterThan(0);
    // Ingest left gracefully: the system installs a view without it, which pmu-sim reports.
    await until(async () => ((await viewId()) > before ? true : undefined), 'a system view without ingest');
    expect(await sim.stop()).toBe(0);
    expect(sim.lines.at(-1)).toMatchObject({ event: 'stopped' });
  });
});

describe('start-up settings of pmu-sim and ingest (processes)', () => {
  it('a bad GRIDCLOUD_ variable is one line naming it, exit 2', async () => {
    const r = await run(PMU_SIM_ENTRY, ['--case', CASE14, '--tcp', '127.0.0.1:0'], {
      GRIDCLOUD_HTTP_PORT: 'eighty',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("pmu-sim: GRIDCLOUD_HTTP_PORT must be a port in 0..65535 or off, got 'eighty'");
    expect(r.stdoutLines).toBe(0);
  });

  it('a busy --http-port is one line naming it, exit 2', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await run(INGEST_ENTRY, ['--udp', '127.0.0.1:0', '--http-port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^ingest: --http-port 127\\.0\\.0\\.1:${port} cannot be bound: the address is already in use`,
        ),
      );
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('--http-port off serves no HTTP; --help prints every flag and exits 0', async () => {
    const p = LocalProcess.tsx(INGEST_ENTRY, [
      '--udp',
      '127.0.0.1:0',
      '--http-port',
      'off',
      '--duration-s',
      '1',
    ]);
    const ready = await p.waitFor((l) => l.event === 'ready', 'ingest ready', 60_000);
    expect(ready.httpPort).toBeNull();
    expect(await p.exited).toBe(0);
    expect(p.lines.at(-1)).toMatchObject({ event: 'stopped' });

    const help = LocalProcess.tsx(PMU_SIM_ENTRY, ['--help']);
    expect(await help.exited).toBe(0);
    expect(help.stderr).toBe('');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { maxVoltageError, parseTruthLine } from '@gridcloud/estimation';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';
import { readTruth, releasedSnapshots, ResultsConsumer } from './support/estimation-results';

const ESTIMATOR_ENTRY = 'apps/estimator/src/main.ts';
const CASE14 = casePath('case14');
const NOISE_SIGMA_PU = 0.002;
/** PMU 1000 bumps CFGCNT and drops a channel this long after pmu-sim starts. */
const CHANGE_AT_S = 10;

function firstTruthTime(file: string): number {
  const line = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.includes('"type":"truth"'));
  return parseTruthLine(line!)!.timeSec;
}

/** The catalogs an estimator logged, in order. */
function catalogLines(
  stderr: string,
): { version: number; pmus: number; channels: number; unmapped: number }[] {
  return [...stderr.matchAll(/catalog v(\d+): (\d+) PMUs, (\d+) channels, (\d+) unmapped/g)].map((m) => ({
    version: Number(m[1]),
    pmus: Number(m[2]),
    channels: Number(m[3]),
    unmapped: Number(m[4]),
  }));
}

function estimator(port: number, seeds: string): LocalProcess {
  return LocalProcess.tsx(ESTIMATOR_ENTRY, [
    ...['--case', CASE14, '--areas', '1', '--replicas', '2', '--stats-interval-ms', '500'],
    ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
  ]);
}

describe('the PMU catalog reaches a joining estimator, and a configuration change reaches every estimator (processes)', () => {
  const procs: LocalProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-catalog-'));
  let consumer: ResultsConsumer | undefined;
  afterAll(async () => {
    await consumer?.close();
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a joiner estimates from the catalog ingest re-sends after the view change; estimates follow the new CFG-2', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const seeds = `127.0.0.1:${p1}`;
    const first = estimator(p1, seeds);
    procs.push(first);
    await first.waitFor((l) => l.event === 'ready', 'first estimator ready');
    consumer = new ResultsConsumer(seeds);
    await consumer.join();
    const { estimates } = consumer;

    const pmuPort = await freePort();
    const snapshotsFile = path.join(dir, 'snapshots.jsonl');
    const targets = [1000, 1001, 1002, 1003, 1004].flatMap((id) => ['--tcp', `${id}@127.0.0.1:${pmuPort}`]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...targets,
      ...[
        '--fps',
        '30',
        '--vsync-seeds',
        seeds,
        '--snapshots-out',
        snapshotsFile,
        '--stats-interval-ms',
        '200',
      ],
      ...['--reconnect-min-ms', '50', '--reconnect-max-ms', '200'],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    const truthFile = path.join(dir, 'truth.jsonl');
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', CASE14, '--tcp', `127.0.0.1:${pmuPort}`, '--fps', '30', '--truth', truthFile],
      ...['--noise-sigma-pu', String(NOISE_SIGMA_PU), '--config-change', `1000@${CHANGE_AT_S}`],
    ]);
    procs.push(sim);
    await ingest.waitFor(
      (l) => l.event === 'stats' && l.expectedPmus === 5,
      'ingest streaming from all five PMUs',
    );

    const second = estimator(p2, seeds);
    procs.push(second);
    await second.waitFor((l) => l.event === 'ready', 'joining estimator ready');
    // Whether the joiner came before or after the change (the machine may be slow), run until well past it.
    const changeAtMs = (firstTruthTime(truthFile) + CHANGE_AT_S) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, changeAtMs - Date.now()) + 4000));
    await ingest.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sim.stop();

    // The joiner had a catalog of all five PMUs before it estimated; the change cost one channel; both ended alike.
    const joinerCatalogs = catalogLines(second.stderr);
    const firstCatalogs = catalogLines(first.stderr);
    const before = firstCatalogs.find((c) => c.pmus === 5)!;
    const after = firstCatalogs.at(-1)!;
    expect(joinerCatalogs[0].pmus).toBe(5);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.channels).toBe(before.channels - 1);
    expect(joinerCatalogs.at(-1)).toEqual(after);
    for (const c of [...joinerCatalogs, ...firstCatalogs]) expect(c.unmapped).toBe(0);
    const stats = second.lines.filter((l) => l.event === 'stats').at(-1)!;
    // Each snapshot's one area is the joiner's to compute or, when the other replica's result came first, to skip.
    expect(stats.areasComputed as number).toBeGreaterThan(0);
    expect((stats.areasComputed as number) + (stats.duplicatesAvoided as number)).toBeGreaterThan(60);
    expect(stats.snapshotsWithoutCatalog as number).toBeLessThan(5);

    const released = releasedSnapshots(snapshotsFile);
    expect(released.filter((s) => !estimates.has(s.slot)).map((s) => s.slot)).toEqual([]);
    const truth = readTruth(truthFile);
    const changed = [...estimates.values()].filter((e) => e.catalogVersion === after.version);
    expect(changed.length).toBeGreaterThan(30);
    for (const e of estimates.values()) {
      expect(maxVoltageError(e, truth.at(e.timeSec)!).maxErrorPu).toBeLessThan(6 * NOISE_SIGMA_PU);
    }
  }, 90_000);
});

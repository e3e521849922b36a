import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import {
  AREA_RESULT_MESSAGE,
  decodeAreaResult,
  parseTruthLine,
  RESULTS_GROUP,
  ResultCollector,
  TruthTimeline,
  type SystemEstimate,
} from '@gridcloud/estimation';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { Group } from '@gridcloud/vsync';
import { LocalProcess } from '@gridcloud/supervision';
import { ESTIMATOR_ENTRY, INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';

const NOISE_SIGMA_PU = 0.002;
/** case14 branch rows 6-12 and 12-13: with both open, load bus 12 has no source left. */
const SPLIT = [11, 18];
// Late enough that ingest, started after pmu-sim on a loaded machine, sees the grid whole first.
const SPLIT_AT_S = 14;
const BUS_12 = 11;

/**
 * A trip that splits the grid, end to end: pmu-sim (a PMU at every bus, breaker words) keeps streaming once
 * branches 6-12 and 12-13 open, with bus 12 dead (its truth solved per island); ingest carries the breaker
 * bits and the estimator reports bus 12 de-energized in its area results (layout version 3).
 */
describe('a splitting trip: pmu-sim -> ingest -> estimator -> a results consumer sees the dead bus', () => {
  const procs: LocalProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-split-'));
  let consumer: Group | undefined;
  afterAll(async () => {
    await consumer?.close();
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('estimates after the split name bus 12 de-energized and both branches open; none before does', async () => {
    const port = await freePort();
    const seeds = `127.0.0.1:${port}`;
    const estimator = LocalProcess.tsx(ESTIMATOR_ENTRY, [
      ...['--case', casePath('case14'), '--areas', '2', '--replicas', '1'],
      ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
    ]);
    procs.push(estimator);
    await estimator.waitFor((l) => l.event === 'ready', 'estimator ready');

    const collector = new ResultCollector({ maxOpenSnapshots: 300, maxClosedSnapshots: 10_000 });
    const estimates: SystemEstimate[] = [];
    consumer = new Group(RESULTS_GROUP, { seeds: [seeds], founder: false });
    consumer.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => {
      for (const e of collector.offer(decodeAreaResult(bytes)))
        if (e.type === 'assembled') estimates.push(e.estimate);
    });
    await consumer.join();

    const truthFile = path.join(dir, 'truth.jsonl');
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', casePath('case14'), '--tcp', '127.0.0.1:0', '--fps', '30', '--digitals', 'breakers'],
      ...['--placement', 'all', '--noise-sigma-pu', String(NOISE_SIGMA_PU), '--truth', truthFile],
      ...SPLIT.flatMap((k) => ['--trip-line', `${k}@${SPLIT_AT_S}`]),
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', '30', '--vsync-seeds', seeds, '--duration-s', '17'],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'stopped', 'ingest report');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sim.stop();

    const truth = new TruthTimeline();
    for (const line of fs.readFileSync(truthFile, 'utf8').split('\n')) {
      const point = parseTruthLine(line);
      if (point !== undefined) truth.add(point);
    }
    const split = (e: SystemEstimate): boolean => truth.at(e.timeSec)?.tripped.length === SPLIT.length;
    const ordered = [...estimates].sort((a, b) => a.timeSec - b.timeSec);
    const after = ordered.filter(split);
    const before = ordered.filter((e) => truth.at(e.timeSec)?.tripped.length === 0);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(30);
    const notDead = after
      .filter((e) => [...(e.deEnergized ?? [])].join() !== String(BUS_12))
      .map((e) => e.slot);
    expect(notDead, 'estimates after the split without bus 12 de-energized').toEqual([]);
    expect(after.every((e) => SPLIT.every((k) => e.openBranches.includes(k)))).toBe(true);
    expect(before.filter((e) => (e.deEnergized ?? []).length > 0).map((e) => e.slot)).toEqual([]);
    process.stderr.write(
      `estimator-split: ${before.length} estimates before the split, ${after.length} after, each with bus 12 de-energized\n`,
    );
  }, 90_000);
});

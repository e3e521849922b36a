import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import {
  AREA_RESULT_MESSAGE,
  decodeAreaResult,
  maxVoltageError,
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
/** Branch row 6 of case14 (bus 4 to bus 5) trips this many seconds after pmu-sim starts. */
const TRIPPED = 6;
const TRIP_AT_S = 12;

/**
 * Breaker status end to end: pmu-sim sends breaker words (a bit per branch
 * end, opening in the frame of a trip), ingest carries them in the aligned
 * snapshot, and the estimator takes the topology from them. The estimator
 * runs with the open-branch rule off (--open-branch-sigmas 0: no current is
 * below zero), so only the breaker bits can tell it the line opened.
 */
describe('breaker status: pmu-sim (breaker words) -> ingest -> estimator (rule off) -> a results consumer', () => {
  const procs: LocalProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-breaker-'));
  let consumer: Group | undefined;
  afterAll(async () => {
    await consumer?.close();
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the estimate of the first snapshot after the trip uses the new topology, and every one after it', async () => {
    const port = await freePort();
    const seeds = `127.0.0.1:${port}`;
    const estimator = LocalProcess.tsx(ESTIMATOR_ENTRY, [
      ...['--case', casePath('case14'), '--areas', '2', '--replicas', '1', '--open-branch-sigmas', '0'],
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
      ...[
        '--noise-sigma-pu',
        String(NOISE_SIGMA_PU),
        '--truth',
        truthFile,
        '--trip-line',
        `${TRIPPED}@${TRIP_AT_S}`,
      ],
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', '30', '--vsync-seeds', seeds, '--duration-s', '14'],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'stopped', 'ingest report');
    // Results of the last snapshots are still on their way.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sim.stop();

    const truth = new TruthTimeline();
    for (const line of fs.readFileSync(truthFile, 'utf8').split('\n')) {
      const point = parseTruthLine(line);
      if (point !== undefined) truth.add(point);
    }
    const ordered = [...estimates].sort((a, b) => a.timeSec - b.timeSec);
    const after = ordered.filter((e) => truth.at(e.timeSec)?.tripped.includes(TRIPPED) === true);
    const before = ordered.filter((e) => truth.at(e.timeSec)?.tripped.includes(TRIPPED) === false);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(60);
    // The first estimate after the trip: the snapshot of the trip's first frame when ingest released it.
    const first = after[0];
    const tripTime = truth.at(first.timeSec)!.timeSec;
    expect(first.timeSec - tripTime).toBeLessThan(1 / 30 + 1e-6);
    expect([...first.openBranches]).toEqual([TRIPPED]);
    const wrong = after.filter((e) => !e.openBranches.includes(TRIPPED)).map((e) => e.slot);
    expect(wrong, 'estimates after the trip without branch 6 open').toEqual([]);
    expect(before.filter((e) => e.openBranches.length > 0).map((e) => e.slot)).toEqual([]);
    let worst = 0;
    for (const e of after) worst = Math.max(worst, maxVoltageError(e, truth.at(e.timeSec)!).maxErrorPu);
    expect(worst).toBeLessThan(6 * NOISE_SIGMA_PU);
    process.stderr.write(
      `estimator-breaker: ${before.length} estimates before the trip, ${after.length} after; first after at +${((first.timeSec - tripTime) * 1000).toFixed(1)} ms reports open ${[...first.openBranches]}; largest error after ${worst.toFixed(5)} pu\n`,
    );
  }, 90_000);
});

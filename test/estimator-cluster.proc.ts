import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { maxVoltageError } from '@gridcloud/estimation';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';
import { readTruth, releasedSnapshots, ResultsConsumer } from './support/estimation-results';

const ESTIMATOR_ENTRY = 'apps/estimator/src/main.ts';
const NOISE_SIGMA_PU = 0.002;
/** Branch row 6 of case14 (bus 4 to bus 5) trips this many seconds after pmu-sim starts. */
const TRIP_AT_S = 3;

describe('replicated estimation: pmu-sim -> ingest -> three estimators (2 areas, r = 2) -> a results consumer', () => {
  const procs: LocalProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-estimator-'));
  let consumer: ResultsConsumer | undefined;
  afterAll(async () => {
    await consumer?.close();
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('estimates every snapshot ingest released, within the noise of the truth, before and after one estimator is SIGKILLed', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const seeds = `127.0.0.1:${ports[0]}`;
    const estimators = ports.map((port) => {
      const p = LocalProcess.tsx(ESTIMATOR_ENTRY, [
        ...['--case', casePath('case14'), '--areas', '2', '--replicas', '2'],
        ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
      ]);
      procs.push(p);
      return p;
    });
    for (const e of estimators) await e.waitFor((l) => l.event === 'ready', 'estimator ready');

    consumer = new ResultsConsumer(seeds);
    await consumer.join();
    const { estimates, incomplete, collector } = consumer;

    const truthFile = path.join(dir, 'truth.jsonl');
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', casePath('case14'), '--tcp', '127.0.0.1:0', '--fps', '30'],
      ...['--noise-sigma-pu', String(NOISE_SIGMA_PU), '--truth', truthFile, '--trip-line', `6@${TRIP_AT_S}`],
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const snapshotsFile = path.join(dir, 'snapshots.jsonl');
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', '30', '--vsync-seeds', seeds, '--snapshots-out', snapshotsFile, '--duration-s', '10'],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    estimators[2].kill();
    const report = (await ingest.waitFor((l) => l.event === 'stopped', 'ingest report')) as {
      vsync: { sent: number; dropped: number };
    };
    // Results of the last snapshots are still on their way.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await sim.stop();

    const released = releasedSnapshots<{ slot: number; pmus: { idcode: number }[] }>(snapshotsFile);
    expect(report.vsync.dropped).toBe(0);
    expect(released.length).toBe(report.vsync.sent);
    expect(released.length).toBeGreaterThan(200);
    const lacking = released.filter((s) => !estimates.has(s.slot)).map((s) => s.slot);
    expect(lacking, `snapshots without an assembled estimate (incomplete: ${incomplete.length})`).toEqual([]);

    const truth = readTruth(truthFile);
    const meta = fs
      .readFileSync(truthFile, 'utf8')
      .split('\n')
      .map((l) =>
        l.includes('"type":"meta"')
          ? (JSON.parse(l) as { pmus: { idcode: number; busId: number }[] })
          : undefined,
      )
      .find((m) => m !== undefined)!;
    const atEnds = new Set(meta.pmus.filter((p) => p.busId === 4 || p.busId === 5).map((p) => p.idcode));
    const measuresTrippedLine = (s: { pmus: { idcode: number }[] }): boolean =>
      s.pmus.some((p) => atEnds.has(p.idcode));
    let worst = 0;
    let afterTrip = 0;
    const missedTrip: string[] = [];
    for (const e of estimates.values()) {
      const point = truth.at(e.timeSec);
      expect(point, `truth at ${e.timeSec}`).toBeDefined();
      const error = maxVoltageError(e, point!);
      expect(error.comparedBuses).toBeGreaterThan(0);
      worst = Math.max(worst, error.maxErrorPu);
      if (point!.tripped.includes(6)) {
        afterTrip += 1;
        // The rule needs the branch's currents: a snapshot without the PMU at its measured end cannot show the trip.
        if (!measuresTrippedLine(released.find((r) => r.slot === e.slot)!)) continue;
        if (!e.openBranches.includes(6))
          missedTrip.push(
            `${e.slot} t-trip=${(e.timeSec - point!.timeSec).toFixed(3)} open=${[...e.openBranches]} unobs=${e.unobservableBuses} err=${error.maxErrorPu.toFixed(4)}`,
          );
      }
    }
    expect(afterTrip).toBeGreaterThan(100);
    expect(missedTrip, 'estimates after the trip that did not report branch 6 open').toEqual([]);
    expect(worst).toBeLessThan(6 * NOISE_SIGMA_PU);
    process.stderr.write(
      `estimator-cluster: ${released.length} snapshots, ${estimates.size} assembled, largest voltage error ${worst.toFixed(5)} pu, collector ${JSON.stringify(collector.counters)}\n`,
    );
  }, 90_000);
});

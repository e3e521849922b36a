import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import {
  AREA_RESULT_MESSAGE,
  decodeAreaResult,
  RESULTS_GROUP,
  ResultCollector,
  type AreaResult,
  type SystemEstimate,
} from '@gridcloud/estimation';
import {
  LinearStateEstimator,
  MeasurementKind,
  MeasurementModel,
  Network,
  parseMatpowerCase,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
  type MeasurementSet,
} from '@gridcloud/grid';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { Group } from '@gridcloud/vsync';
import { LocalProcess } from '@gridcloud/supervision';
import { ESTIMATOR_ENTRY, INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';

const CASE = 'case118';

/** pmu-sim's truth file, first line: every PMU's bus and channels (IDCODE, channel index -> what it measures). */
interface TruthMeta {
  readonly pmus: {
    readonly idcode: number;
    readonly busId: number;
    readonly channels: { kind: 'voltage' | 'current'; branch: number; end: number }[];
  }[];
}

/** What a measurement is, independent of row orders: a bus voltage or one end of a branch. */
function rowKey(kind: 'voltage' | 'current', bus: number, branch: number, end: number): string {
  return kind === 'voltage' ? `V${bus}` : `I${branch}:${end}`;
}

/** The critical measurements and pairs libs/grid finds for the PMUs pmu-sim placed (zero injection on, as the estimator). */
function gridCriticality(net: Network, meta: TruthMeta): { rows: string[]; pairs: string[] } {
  const buses = Int32Array.from(meta.pmus, (p) => net.busIds.indexOf(p.busId));
  const set: MeasurementSet = synthesizeMeasurements(
    net,
    solvePowerFlow(net),
    buses,
    0.002,
    new SeededRandom(1),
  );
  const model = MeasurementModel.central(net, set, { zeroInjection: true });
  const seen = new LinearStateEstimator(model).observabilityReport();
  const key = (r: number): string => {
    const i = model.rowMeasurement[r];
    const kind = set.kind[i] === MeasurementKind.VOLTAGE ? 'voltage' : 'current';
    return rowKey(kind, set.bus[i], set.branch[i], set.end[i]);
  };
  return {
    rows: [...seen.criticalRows].map(key).sort(),
    pairs: seen.criticalPairs.map(([a, b]) => [key(a), key(b)].sort().join('+')).sort(),
  };
}

/** The same lists from what the estimator published: IDCODE and channel back to what they measure. */
function publishedCriticality(
  net: Network,
  meta: TruthMeta,
  results: readonly AreaResult[],
): { rows: string[]; pairs: string[] } {
  const byId = new Map(meta.pmus.map((p) => [p.idcode, p]));
  const key = (idcode: number, channel: number): string => {
    const pmu = byId.get(idcode)!;
    const c = pmu.channels[channel];
    return rowKey(c.kind, net.busIds.indexOf(pmu.busId), c.branch, c.end);
  };
  const rows: string[] = [];
  const pairs: string[] = [];
  for (const r of results) {
    r.criticalIdcode!.forEach((id, k) => rows.push(key(id, r.criticalChannel![k])));
    const ids = r.criticalPairIdcode!;
    for (let k = 0; k < ids.length; k += 2) {
      const a = key(ids[k], r.criticalPairChannel![k]);
      const b = key(ids[k + 1], r.criticalPairChannel![k + 1]);
      pairs.push([a, b].sort().join('+'));
    }
  }
  return { rows: rows.sort(), pairs: pairs.sort() };
}

describe('criticality in every estimate: pmu-sim (greedy PMUs) -> ingest -> estimator (one area) -> a results consumer', () => {
  const procs: LocalProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-criticality-'));
  let consumer: Group | undefined;
  afterAll(async () => {
    await consumer?.close();
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('carries the critical measurements and pairs libs/grid finds for the same measurement set', async () => {
    const port = await freePort();
    const seeds = `127.0.0.1:${port}`;
    const estimator = LocalProcess.tsx(ESTIMATOR_ENTRY, [
      ...['--case', casePath(CASE), '--areas', '1', '--replicas', '1'],
      ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
    ]);
    procs.push(estimator);
    await estimator.waitFor((l) => l.event === 'ready', 'estimator ready');

    const collector = new ResultCollector({ maxOpenSnapshots: 300, maxClosedSnapshots: 10_000 });
    const results: AreaResult[] = [];
    const estimates: SystemEstimate[] = [];
    consumer = new Group(RESULTS_GROUP, { seeds: [seeds], founder: false });
    consumer.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => {
      const result = decodeAreaResult(bytes);
      results.push(result);
      for (const e of collector.offer(result)) if (e.type === 'assembled') estimates.push(e.estimate);
    });
    await consumer.join();

    const truthFile = path.join(dir, 'truth.jsonl');
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', casePath(CASE), '--tcp', '127.0.0.1:0', '--fps', '30', '--pmus-per-stream', 'all'],
      ...['--truth', truthFile],
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', '30', '--vsync-seeds', seeds, '--duration-s', '6'],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'stopped', 'ingest report');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await sim.stop();

    const net = new Network(parseMatpowerCase(fs.readFileSync(casePath(CASE), 'utf8'), `${CASE}.m`));
    const meta = JSON.parse(fs.readFileSync(truthFile, 'utf8').split('\n')[0]) as TruthMeta;
    const expected = gridCriticality(net, meta);
    // The reference must have something to find, or the comparison proves nothing.
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(expected.pairs.length).toBeGreaterThan(0);
    // Every result of a snapshot with every measurement present carries exactly libs/grid's lists.
    const present = (r: AreaResult): number => r.measurementsUsed + r.removedIdcode.length;
    const all = Math.max(...results.map(present));
    const full = results.filter((r) => present(r) === all);
    expect(full.length).toBeGreaterThan(60);
    const distinct = new Set(full.map((r) => JSON.stringify(publishedCriticality(net, meta, [r]))));
    expect([...distinct]).toEqual([JSON.stringify(expected)]);
    // And the assembled estimates (what the console and the dashboard show) count them.
    const fullSlots = new Set(full.map((r) => r.slot));
    const shown = estimates.filter((e) => fullSlots.has(e.slot));
    expect(shown.length).toBeGreaterThan(60);
    for (const e of shown) {
      expect(e.criticalMeasurements).toBe(expected.rows.length);
      expect(e.criticalPairs).toBe(expected.pairs.length);
    }
    process.stderr.write(
      `estimator-criticality: ${full.length} results, each with ${expected.rows.length} critical measurements and ${expected.pairs.length} critical pairs, as libs/grid finds for the set\n`,
    );
  }, 90_000);
});

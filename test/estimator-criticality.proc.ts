import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type AreaResult } from '@gridcloud/estimation';
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
import { EstimatorPipeline } from './support/estimator-pipeline';
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
  const pipeline = new EstimatorPipeline('criticality');
  afterAll(() => pipeline.close());

  it('carries the critical measurements and pairs libs/grid finds for the same measurement set', async () => {
    const { results, estimates, truthFile } = await pipeline.run({
      caseName: CASE,
      estimatorFlags: ['--areas', '1', '--replicas', '1'],
      simFlags: ['--pmus-per-stream', 'all'],
      ingestDurationS: 6,
      settleMs: 1000,
    });

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

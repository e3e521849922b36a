/**
 * Hybrid SCADA + PMU state estimation against the power-flow truth. One SCADA
 * scan (P/Q injections at every bus, P/Q flows at every branch's from end, |V|
 * at generator buses; 1 MW/MVAr and 0.4 % sigma) at base load, then PMU frames
 * (sigma 0.002 pu) after load and generation drifted by each --drifts fraction
 * (as pmu-sim drifts them), which is what happens between two scans. Per case and PMU coverage it prints the RMS
 * complex voltage error (pu) over every bus of:
 *   scadaOnly   the nonlinear estimate from the scan alone, held until the next scan
 *   scan        stage 1: nonlinear WLS on the scan and the PMU frame of that instant
 *   hybrid      stage 2: the linear update of each later PMU frame on the stage-1 prior
 *   pmuOnly     the linear PMU-only estimate, over the buses it can see (and how many it cannot)
 * with stage-1 time (ms) and stage-2 time per frame (us, median of --frames).
 * Coverage 'greedy/3' keeps every third PMU of the greedy placement: the PMUs
 * alone cannot see the whole grid, which is where SCADA is needed. The last
 * line is the JSON summary. `--cases case118,case300`, `--drifts 0,0.01,0.02,0.05`.
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_HYBRID_OPTIONS,
  DEFAULT_SCADA_NOISE,
  HybridEstimator,
  LinearStateEstimator,
  MeasurementModel,
  Network,
  NonlinearStateEstimator,
  parseMatpowerCase,
  placePmus,
  rectangular,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
  synthesizeScada,
  type BusVoltages,
} from '@gridcloud/grid';
import { casePath } from '../../test/support/data-files';

const PMU_SIGMA = 0.002;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
}

function scaled(net: Network, scale: number): Network {
  const c = net.powerCase;
  // Generation follows load (as pmu-sim drifts), so the slack does not absorb the whole change.
  return new Network({
    ...c,
    buses: c.buses.map((b) => ({ ...b, pd: b.pd * scale, qd: b.qd * scale })),
    gens: c.gens.map((g) => ({ ...g, pg: g.pg * scale })),
  });
}

function rms(
  re: ArrayLike<number>,
  im: ArrayLike<number>,
  truth: { re: Float64Array; im: Float64Array },
  mask?: Uint8Array,
): number {
  let [sum, count] = [0, 0];
  for (let b = 0; b < truth.re.length; b += 1) {
    if (mask !== undefined && mask[b] === 0) continue;
    sum += (re[b] - truth.re[b]) ** 2 + (im[b] - truth.im[b]) ** 2;
    count += 1;
  }
  return Math.sqrt(sum / Math.max(count, 1));
}

function polarRms(v: BusVoltages, truth: { re: Float64Array; im: Float64Array }): number {
  const r = rectangular(v);
  return rms(r.re, r.im, truth);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function run(name: string, coverage: string, drifts: number[], frames: number): Record<string, unknown> {
  const net = new Network(parseMatpowerCase(readFileSync(casePath(name), 'utf8'), `${name}.m`));
  const greedy = placePmus(net, 'greedy');
  const pmuBuses = coverage === 'greedy' ? greedy : greedy.filter((_, i) => i % 3 === 0);
  const truth0 = solvePowerFlow(net, { tolerancePu: 1e-10, maxIterations: 30 });
  const v0 = rectangular(truth0);
  const scada = synthesizeScada(net, v0.re, v0.im, DEFAULT_SCADA_NOISE, new SeededRandom(11));
  const pmu0 = synthesizeMeasurements(net, truth0, pmuBuses, PMU_SIGMA, new SeededRandom(12));
  const scadaOnly = new NonlinearStateEstimator(net, scada).estimate(scada.value);
  const hybrid = new HybridEstimator(net, scada, pmu0, DEFAULT_HYBRID_OPTIONS);
  const t0 = performance.now();
  const scan = hybrid.scan(scada.value, pmu0.re, pmu0.im);
  const scanMs = performance.now() - t0;
  const pmuOnly = new LinearStateEstimator(MeasurementModel.central(net, pmu0));
  const rows = drifts.map((drift, d) => {
    const truth = solvePowerFlow(scaled(net, 1 + drift));
    const v = rectangular(truth);
    const pmu = synthesizeMeasurements(net, truth, pmuBuses, PMU_SIGMA, new SeededRandom(100 + d));
    const times: number[] = [];
    let out = hybrid.frame(pmu.re, pmu.im);
    for (let f = 0; f < frames; f += 1) {
      const s = performance.now();
      out = hybrid.frame(pmu.re, pmu.im);
      times.push((performance.now() - s) * 1000);
    }
    const alone = pmuOnly.estimate(pmu.re, pmu.im);
    return {
      drift,
      scadaOnly: polarRms(scadaOnly, v),
      scan: polarRms(scan, v),
      hybrid: rms(out.vRe, out.vIm, v),
      pmuOnly: rms(alone.vRe, alone.vIm, v, alone.observable),
      pmuOnlyUnobservable: alone.observable.reduce((s, o) => s + (o === 0 ? 1 : 0), 0),
      frameUs: median(times),
    };
  });
  return {
    case: name,
    buses: net.busCount,
    coverage,
    pmus: pmuBuses.length,
    scadaRows: scada.count,
    scanMs,
    rows,
  };
}

const cases = arg('--cases', 'case118,case300').split(',');
const drifts = arg('--drifts', '0,0.01,0.02,0.05').split(',').map(Number);
const frames = Number(arg('--frames', '50'));
const results = cases.flatMap((name) => ['greedy/3', 'greedy'].map((c) => run(name, c, drifts, frames)));
for (const r of results) {
  console.log(
    `${String(r.case)} (${String(r.buses)} buses) PMUs ${String(r.coverage)}=${String(r.pmus)}, stage 1 ${(r.scanMs as number).toFixed(1)} ms`,
  );
  for (const row of r.rows as Record<string, number>[])
    console.log(
      `  drift ${(row.drift * 100).toFixed(1)} %: rms scadaOnly ${row.scadaOnly.toExponential(2)} scan ${row.scan.toExponential(2)} hybrid ${row.hybrid.toExponential(2)} pmuOnly ${row.pmuOnly.toExponential(2)} (${row.pmuOnlyUnobservable} buses unseen), stage 2 ${row.frameUs.toFixed(0)} us/frame`,
    );
}
console.log(JSON.stringify({ scanDriftPu: DEFAULT_HYBRID_OPTIONS.scanDriftPu, results }));

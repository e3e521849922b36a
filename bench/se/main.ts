/**
 * State-estimator benchmark: factorization and per-frame estimate time of
 * the linear estimator (PMUs at every bus, zero-injection constraints on) for
 * case_ACTIVSg2000, case2869pegase and case9241pegase, against SciPy
 * measured in the same run (splu of the same gain matrix, constraints
 * included, the same H^H W z and solve per frame). Per case it also reports
 * what the zero-injection constraints buy: the RMS voltage error of a greedy
 * placement with and without them, over ACCURACY_FRAMES noisy frames. The two sides alternate
 * batches of frames, so load from other processes on this shared machine hits
 * both alike, and each reports the mean of its fastest batch. `--json` is
 * accepted for symmetry with the other benches; the last line is always the
 * JSON summary. `--frames N` sets the frames per batch (default 50).
 */
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import {
  DEFAULT_ESTIMATOR_OPTIONS,
  LinearStateEstimator,
  MeasurementModel,
  Network,
  parseMatpowerCase,
  placePmus,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
  rectangular,
  type GainFactor,
  type MeasurementSet,
  type PowerFlowSolution,
} from '@gridcloud/grid';
import { casePath } from '../../test/support/data-files';

const CASES = ['case_ACTIVSg2000', 'case2869pegase', 'case9241pegase'];
const ACCURACY_FRAMES = 5;
const FRAME_VARIANTS = 8;
const SIGMA_PU = 0.002;
const BATCHES = 20;
const REFACTORS = 5;
const PEER_TIMEOUT_MS = 120_000;

interface CaseResult {
  case: string;
  buses: number;
  measurements: number;
  analyzeMs: number;
  factorMs: number;
  firstFactorMs: number;
  frameMs: number;
  scipyFactorMs: number;
  scipyFrameMs: number;
  ratio: number;
  maxDiffVsScipy: number;
  factorNonZeros: number;
  scipyLuNonZeros: number;
  rssMB: number;
  zeroInjection: { constraints: number; greedyPmus: number; rmsErrorWithout: number; rmsErrorWith: number };
}

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${name} must be a positive integer, got ${process.argv[at + 1]}`);
  return v;
}

function pythonPath(): string {
  const out = execFileSync('bash', ['scripts/python-env'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop()!;
}

function writeBinary(path: string, data: Int32Array | Float64Array): void {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** COO triplets in typed arrays, sized up front so the export leaves little garbage for the timed loops. */
class Triplets {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
  private size = 0;

  constructor(capacity: number) {
    this.rows = new Int32Array(capacity);
    this.cols = new Int32Array(capacity);
    this.re = new Float64Array(capacity);
    this.im = new Float64Array(capacity);
  }

  push(r: number, c: number, re: number, im: number): void {
    this.rows[this.size] = r;
    this.cols[this.size] = c;
    this.re[this.size] = re;
    this.im[this.size] = im;
    this.size++;
  }

  write(dir: string, name: string): void {
    if (this.size !== this.rows.length)
      throw new Error(`invariant: ${name} has ${this.size} of ${this.rows.length} entries`);
    writeBinary(join(dir, `${name}.rows`), this.rows);
    writeBinary(join(dir, `${name}.cols`), this.cols);
    writeBinary(join(dir, `${name}.re`), this.re);
    writeBinary(join(dir, `${name}.im`), this.im);
  }
}

/** Writes G and H^H W (COO, original column order) so the peer factors exactly the same matrix. */
function exportSystem(dir: string, model: MeasurementModel, factor: GainFactor): void {
  let entries = 0;
  for (let r = 0; r < model.rowCount; r++) entries += model.col2[r] < 0 ? 1 : 2;
  const zi = model.zeroInjection;
  let constraintEntries = 0;
  for (let k = 0; k < zi.count; k++)
    if (factor.constraintWeight[k] > 0) constraintEntries += (zi.ptr[k + 1] - zi.ptr[k]) ** 2;
  const a = new Triplets(entries);
  const g = new Triplets(entries + 2 * (entries - model.rowCount) + constraintEntries);
  for (let r = 0; r < model.rowCount; r++) {
    const w = factor.weight[r];
    const cols = [model.col1[r], model.col2[r]];
    const hRe = [model.h1Re[r], model.h2Re[r]];
    const hIm = [model.h1Im[r], model.h2Im[r]];
    for (let x = 0; x < 2; x++) {
      if (cols[x] < 0) continue;
      a.push(cols[x], r, w * hRe[x], -w * hIm[x]);
      for (let y = 0; y < 2; y++) {
        if (cols[y] < 0) continue;
        // G[cx][cy] += w conj(h_x) h_y
        g.push(
          cols[x],
          cols[y],
          w * (hRe[x] * hRe[y] + hIm[x] * hIm[y]),
          w * (hRe[x] * hIm[y] - hIm[x] * hRe[y]),
        );
      }
    }
  }
  for (let k = 0; k < zi.count; k++) {
    const w = factor.constraintWeight[k];
    if (w === 0) continue;
    for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) {
      for (let q = zi.ptr[k]; q < zi.ptr[k + 1]; q++) {
        // G[cp][cq] += w conj(c_p) c_q
        g.push(
          zi.col[p],
          zi.col[q],
          w * (zi.re[p] * zi.re[q] + zi.im[p] * zi.im[q]),
          w * (zi.re[p] * zi.im[q] - zi.im[p] * zi.re[q]),
        );
      }
    }
  }
  g.write(dir, 'g');
  a.write(dir, 'a');
}

function exportFrames(
  dir: string,
  sets: MeasurementSet[],
  est: LinearStateEstimator,
  factor: GainFactor,
): void {
  const m = est.model.rowCount;
  const zRe = new Float64Array(FRAME_VARIANTS * m);
  const zIm = new Float64Array(FRAME_VARIANTS * m);
  sets.forEach((s, f) => {
    zRe.set(s.re, f * m);
    zIm.set(s.im, f * m);
  });
  writeBinary(join(dir, 'z.re'), zRe);
  writeBinary(join(dir, 'z.im'), zIm);
  est.solveFrame(factor, sets[0].re, sets[0].im);
  writeBinary(join(dir, 'x.re'), est.vRe);
  writeBinary(join(dir, 'x.im'), est.vIm);
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ n: est.model.columnCount, m, frames: FRAME_VARIANTS }),
  );
}

/**
 * Steady-state numeric refactorization time, as a running estimator pays it
 * when a PMU drops out: the fastest of REFACTORS factorizations for distinct
 * one-measurement-missing sets (the first factorization also pays JIT warm-up
 * and is reported separately).
 */
function steadyFactorMs(est: LinearStateEstimator): number {
  let best = Infinity;
  for (let k = 1; k <= REFACTORS; k++) {
    const t0 = performance.now();
    est.factorFor([k]);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** The SciPy peer process: one JSON line when ready, then one line per "time N" request. */
class ScipyPeer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: Interface;
  private readonly pending: string[] = [];
  private waiter: ((line: string) => void) | undefined;

  constructor(python: string, dir: string) {
    this.child = spawn(python, ['bench/se/scipy_peer.py', dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => {
      const w = this.waiter;
      this.waiter = undefined;
      if (w !== undefined) w(line);
      else this.pending.push(line);
    });
  }

  nextLine(): Promise<string> {
    const queued = this.pending.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`SciPy peer gave no answer within ${PEER_TIMEOUT_MS} ms`)),
        PEER_TIMEOUT_MS,
      );
      this.waiter = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  async timeFrames(frames: number): Promise<number> {
    this.child.stdin.write(`time ${frames}\n`);
    return Number(await this.nextLine());
  }

  close(): void {
    this.child.stdin.end('quit\n');
    this.lines.close();
  }
}

function timeBatch(
  est: LinearStateEstimator,
  factor: GainFactor,
  sets: MeasurementSet[],
  frames: number,
): number {
  const t0 = performance.now();
  for (let k = 0; k < frames; k++)
    est.solveFrame(factor, sets[k % FRAME_VARIANTS].re, sets[k % FRAME_VARIANTS].im);
  return (performance.now() - t0) / frames;
}

async function runCase(name: string, python: string, frames: number): Promise<CaseResult> {
  const net = new Network(parseMatpowerCase(readFileSync(casePath(name), 'utf8'), `${name}.m`));
  const truth = solvePowerFlow(net);
  const pmus = placePmus(net, 'all');
  const random = new SeededRandom(1);
  const sets = Array.from({ length: FRAME_VARIANTS }, () =>
    synthesizeMeasurements(net, truth, pmus, SIGMA_PU, random),
  );
  const t0 = performance.now();
  const est = new LinearStateEstimator(MeasurementModel.central(net, sets[0], { zeroInjection: true }));
  const t1 = performance.now();
  const factor = est.factorFor();
  const firstFactorMs = performance.now() - t1;
  const factorMs = steadyFactorMs(est);
  const dir = mkdtempSync(join(tmpdir(), 'gridcloud-se-'));
  const peer = new ScipyPeer(python, dir);
  try {
    exportSystem(dir, est.model, factor);
    exportFrames(dir, sets, est, factor);
    const ready = JSON.parse(await peer.nextLine()) as {
      factorMs: number;
      maxDiffVsTs: number;
      nnzLU: number;
    };
    for (let k = 0; k < 3; k++) timeBatch(est, factor, sets, frames);
    let ts = Infinity;
    let py = Infinity;
    for (let batch = 0; batch < BATCHES; batch++) {
      ts = Math.min(ts, timeBatch(est, factor, sets, frames));
      py = Math.min(py, await peer.timeFrames(frames));
    }
    return {
      case: name,
      buses: net.busCount,
      measurements: est.model.rowCount,
      analyzeMs: round(t1 - t0),
      factorMs: round(factorMs),
      firstFactorMs: round(firstFactorMs),
      frameMs: round(ts),
      scipyFactorMs: round(ready.factorMs),
      scipyFrameMs: round(py),
      ratio: round(ts / py),
      maxDiffVsScipy: ready.maxDiffVsTs,
      factorNonZeros: est.structure.symbolic.factorNonZeros,
      scipyLuNonZeros: ready.nnzLU,
      rssMB: Math.round(process.memoryUsage().rss / 1048576),
      zeroInjection: zeroInjectionAccuracy(net, truth),
    };
  } finally {
    peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * RMS voltage error against the power-flow truth of a greedy placement, with
 * and without zero-injection constraints, averaged over noisy frames; the
 * estimate is estimate()'s (one refinement step, which also enforces the
 * constraints by the method of multipliers).
 */
function zeroInjectionAccuracy(net: Network, truth: PowerFlowSolution): CaseResult['zeroInjection'] {
  const pmus = placePmus(net, 'greedy');
  const t = rectangular(truth);
  const random = new SeededRandom(2);
  const sums = [0, 0];
  let constraints = 0;
  for (let frame = 0; frame < ACCURACY_FRAMES; frame++) {
    const set = synthesizeMeasurements(net, truth, pmus, SIGMA_PU, random);
    [false, true].forEach((zeroInjection, at) => {
      const model = MeasurementModel.central(net, set, { zeroInjection });
      constraints = Math.max(constraints, model.zeroInjection.count);
      const est = new LinearStateEstimator(model, {
        ...DEFAULT_ESTIMATOR_OPTIONS,
        criticalityAnalysis: false,
      });
      const r = est.estimate(set.re, set.im);
      let sum = 0;
      for (let b = 0; b < net.busCount; b++) sum += (r.vRe[b] - t.re[b]) ** 2 + (r.vIm[b] - t.im[b]) ** 2;
      sums[at] += Math.sqrt(sum / net.busCount) / ACCURACY_FRAMES;
    });
  }
  return {
    constraints,
    greedyPmus: pmus.length,
    rmsErrorWithout: Number(sums[0].toPrecision(4)),
    rmsErrorWith: Number(sums[1].toPrecision(4)),
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

async function main(): Promise<void> {
  const frames = argValue('--frames', 50);
  const python = pythonPath();
  const cases: CaseResult[] = [];
  for (const name of CASES) {
    const r = await runCase(name, python, frames);
    process.stdout.write(
      `${r.case}: ${r.buses} buses, ${r.measurements} phasors; analyze ${r.analyzeMs} ms, factor ${r.factorMs} ms ` +
        `(first ${r.firstFactorMs} ms; SciPy splu ${r.scipyFactorMs} ms); per frame ${r.frameMs} ms vs SciPy ${r.scipyFrameMs} ms, ` +
        `ratio ${r.ratio}; max |x_ts - x_scipy| ${r.maxDiffVsScipy.toExponential(2)}; ` +
        `greedy RMS error ${r.zeroInjection.rmsErrorWithout} pu without, ${r.zeroInjection.rmsErrorWith} pu with ` +
        `${r.zeroInjection.constraints} zero-injection constraints\n`,
    );
    cases.push(r);
  }
  process.stdout.write(`${JSON.stringify({ cases })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:se: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

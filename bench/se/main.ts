/**
 * State-estimator benchmark: factorization and per-frame estimate time of
 * the linear estimator (PMUs at every bus) for case_ACTIVSg2000 and
 * case9241pegase, against SciPy measured in the same run (splu of the same
 * gain matrix, the same H^H W z and solve per frame). Both sides report the mean of
 * their fastest batch over 3 alternating rounds (the machine is shared). `--json` is accepted
 * for symmetry with the other benches; the last line is always the JSON
 * summary. `--frames N` sets the frames timed per case and round (default 1000).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LinearStateEstimator,
  MeasurementModel,
  Network,
  parseMatpowerCase,
  placePmus,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
  type GainFactor,
} from '@gridcloud/grid';

const CASES = ['case_ACTIVSg2000', 'case9241pegase'];
const FRAME_VARIANTS = 8;
const SIGMA_PU = 0.002;
const BATCHES = 10;
const ROUNDS = 3;
const REFACTORS = 5;

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
}

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${process.argv[at + 1]}`);
  return v;
}

function pythonPath(): string {
  const out = execFileSync('bash', ['scripts/python-env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

function writeBinary(path: string, data: Int32Array | Float64Array): void {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Writes G and H^H W (COO, original column order) so the peer factors exactly the same matrix. */
function exportSystem(dir: string, model: MeasurementModel, factor: GainFactor): void {
  const g = { rows: [] as number[], cols: [] as number[], re: [] as number[], im: [] as number[] };
  const a = { rows: [] as number[], cols: [] as number[], re: [] as number[], im: [] as number[] };
  const push = (t: typeof g, r: number, c: number, re: number, im: number): void => {
    t.rows.push(r);
    t.cols.push(c);
    t.re.push(re);
    t.im.push(im);
  };
  for (let r = 0; r < model.rowCount; r++) {
    const w = factor.weight[r];
    const cols = [model.col1[r], model.col2[r]];
    const hRe = [model.h1Re[r], model.h2Re[r]];
    const hIm = [model.h1Im[r], model.h2Im[r]];
    for (let x = 0; x < 2; x++) {
      if (cols[x] < 0) continue;
      push(a, cols[x], r, w * hRe[x], -w * hIm[x]);
      for (let y = 0; y < 2; y++) {
        if (cols[y] < 0) continue;
        // G[cx][cy] += w conj(h_x) h_y
        push(g, cols[x], cols[y], w * (hRe[x] * hRe[y] + hIm[x] * hIm[y]), w * (hRe[x] * hIm[y] - hIm[x] * hRe[y]));
      }
    }
  }
  for (const [name, t] of [['g', g], ['a', a]] as const) {
    writeBinary(join(dir, `${name}.rows`), Int32Array.from(t.rows));
    writeBinary(join(dir, `${name}.cols`), Int32Array.from(t.cols));
    writeBinary(join(dir, `${name}.re`), Float64Array.from(t.re));
    writeBinary(join(dir, `${name}.im`), Float64Array.from(t.im));
  }
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

/**
 * Mean per-frame time of the fastest of BATCHES equal batches: the machine is
 * shared, and the fastest batch is the one least disturbed by other load. The
 * SciPy peer uses the same rule.
 */
function timeFrames(est: LinearStateEstimator, factor: GainFactor, zRe: Float64Array[], zIm: Float64Array[], frames: number): number {
  for (let k = 0; k < 200; k++) est.solveFrame(factor, zRe[k % FRAME_VARIANTS], zIm[k % FRAME_VARIANTS]);
  const perBatch = Math.max(1, Math.floor(frames / BATCHES));
  let best = Infinity;
  for (let batch = 0; batch < BATCHES; batch++) {
    const t0 = performance.now();
    for (let k = 0; k < perBatch; k++) est.solveFrame(factor, zRe[k % FRAME_VARIANTS], zIm[k % FRAME_VARIANTS]);
    best = Math.min(best, (performance.now() - t0) / perBatch);
  }
  return best;
}

function runCase(name: string, python: string, frames: number): CaseResult {
  const net = new Network(parseMatpowerCase(readFileSync(`../shared/cases/${name}.m`, 'utf8'), `${name}.m`));
  const truth = solvePowerFlow(net);
  const pmus = placePmus(net, 'all');
  const random = new SeededRandom(1);
  const sets = Array.from({ length: FRAME_VARIANTS }, () => synthesizeMeasurements(net, truth, pmus, SIGMA_PU, random));
  const t0 = performance.now();
  const est = new LinearStateEstimator(MeasurementModel.central(net, sets[0]));
  const t1 = performance.now();
  const factor = est.factorFor();
  const t2 = performance.now();
  const warmFactorMs = steadyFactorMs(est);
  const zRe = sets.map((s) => s.re);
  const zIm = sets.map((s) => s.im);
  const frameMs = timeFrames(est, factor, zRe, zIm, frames);
  const dir = mkdtempSync(join(tmpdir(), 'gridcloud-se-'));
  try {
    exportSystem(dir, est.model, factor);
    const m = est.model.rowCount;
    const zAllRe = new Float64Array(FRAME_VARIANTS * m);
    const zAllIm = new Float64Array(FRAME_VARIANTS * m);
    sets.forEach((s, f) => (zAllRe.set(s.re, f * m), zAllIm.set(s.im, f * m)));
    writeBinary(join(dir, 'z.re'), zAllRe);
    writeBinary(join(dir, 'z.im'), zAllIm);
    const last = 0;
    est.solveFrame(factor, zRe[last], zIm[last]);
    writeBinary(join(dir, 'x.re'), est.vRe);
    writeBinary(join(dir, 'x.im'), est.vIm);
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ n: net.busCount, m, frames: FRAME_VARIANTS }));
    // Alternate rounds of the two sides so a burst of load from other processes on
    // this shared machine hits both alike; each side keeps its fastest round.
    let tsFrameMs = frameMs;
    let peer = runPeer(python, dir, frames);
    for (let round = 1; round < ROUNDS; round++) {
      tsFrameMs = Math.min(tsFrameMs, timeFrames(est, factor, zRe, zIm, frames));
      const again = runPeer(python, dir, frames);
      peer = { ...peer, frameMs: Math.min(peer.frameMs, again.frameMs), factorMs: Math.min(peer.factorMs, again.factorMs) };
    }
    return {
      case: name,
      buses: net.busCount,
      measurements: m,
      analyzeMs: round(t1 - t0),
      factorMs: round(warmFactorMs),
      firstFactorMs: round(t2 - t1),
      frameMs: round(tsFrameMs),
      scipyFactorMs: round(peer.factorMs),
      scipyFrameMs: round(peer.frameMs),
      ratio: round(tsFrameMs / peer.frameMs),
      maxDiffVsScipy: peer.maxDiffVsTs,
      factorNonZeros: est.structure.symbolic.factorNonZeros,
      scipyLuNonZeros: peer.nnzLU,
      rssMB: Math.round(process.memoryUsage().rss / 1048576),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PeerResult {
  factorMs: number;
  frameMs: number;
  maxDiffVsTs: number;
  nnzLU: number;
}

function runPeer(python: string, dir: string, frames: number): PeerResult {
  const out = execFileSync(python, ['bench/se/scipy_peer.py', dir, String(frames)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as PeerResult;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function main(): void {
  const frames = argValue('--frames', 1000);
  const python = pythonPath();
  const cases: CaseResult[] = [];
  for (const name of CASES) {
    const r = runCase(name, python, frames);
    process.stdout.write(
      `${r.case}: ${r.buses} buses, ${r.measurements} phasors; analyze ${r.analyzeMs} ms, factor ${r.factorMs} ms (first ${r.firstFactorMs} ms) ` +
        `(SciPy ${r.scipyFactorMs} ms); per frame ${r.frameMs} ms vs SciPy ${r.scipyFrameMs} ms, ratio ${r.ratio}; ` +
        `max |x_ts - x_scipy| ${r.maxDiffVsScipy.toExponential(2)}\n`,
    );
    cases.push(r);
  }
  process.stdout.write(`${JSON.stringify({ cases })}\n`);
}

main();

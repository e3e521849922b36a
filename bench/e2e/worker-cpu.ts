/**
 * `npx tsx bench/e2e/worker-cpu.ts [--case NAME] [--snapshots N] [--json]`: the estimator role's CPU per frame
 * without the network, as the cluster runs it (3 workers, 3 areas, 2 replicas): per snapshot, every worker
 * decodes the delivered bytes and queues its areas, computes them, encodes each result, and every worker and
 * the consumer decode every copy from `results`. Each phase is timed separately, summed over the three workers,
 * so a change to the per-frame path shows in CPU-ms per frame whatever else the machine is running (the median
 * of several rounds is reported). PMUs are placed as pmu-sim places them (greedy).
 */
import { performance } from 'node:perf_hooks';
import {
  decodeAreaResult,
  decodeSnapshot,
  DEFAULT_WORKER_OPTIONS,
  encodeAreaResult,
  encodeSnapshot,
  EstimationWorker,
  peekAreaResult,
  ResultCollector,
  type AreaResult,
} from '@gridcloud/estimation';
import { flagParser } from '@gridcloud/command-line';
import { GridFixture, loadCase } from '../../libs/estimation/src/testing/grid-fixture';

class WorkerBenchError extends Error {}
const { parseFlags, numberFlag, stringFlag } = flagParser((m) => new WorkerBenchError(m));
const WORKERS = ['w0', 'w1', 'w2'];
const ROUNDS = 5;
/** Distinct noisy snapshots cycled through (noise changes the bad-data path, so not one repeated frame). */
const DISTINCT_SNAPSHOTS = 30;

type Phase = 'decodeSnapshot' | 'queue' | 'compute' | 'encodeResult' | 'workersSeeResults' | 'consumer';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed(phases: Record<Phase, number>, phase: Phase, run: () => void): void {
  const t = performance.now();
  run();
  phases[phase] += performance.now() - t;
}

function main(): void {
  const f = parseFlags(process.argv.slice(2), ['case', 'snapshots', 'json']);
  const caseName = stringFlag(f, 'case') ?? 'case_ACTIVSg2000';
  const perRound = numberFlag(f, 'snapshots', 150, 10, 100_000, true);
  const net = loadCase(caseName);
  const grid = new GridFixture(net, 'greedy', 0.002, 11);
  const truth = grid.truth();
  const frames = Array.from({ length: DISTINCT_SNAPSHOTS }, (_, i) =>
    encodeSnapshot(grid.snapshot(54_000_000_000 + i, truth), 1),
  );
  const options = { ...DEFAULT_WORKER_OPTIONS, areas: 3, replicas: 2 };
  const workers = WORKERS.map(() => new EstimationWorker(net, options, () => performance.now()));
  for (const w of workers) w.onCatalog(grid.catalog(1));
  const collector = new ResultCollector();
  const rounds: Record<Phase, number>[] = [];
  let slot = 0;
  const oneSnapshot = (phases: Record<Phase, number>): void => {
    const bytes = frames[slot % DISTINCT_SNAPSHOTS];
    const results: Uint8Array[] = [];
    workers.forEach((w, i) => {
      let out: AreaResult[] = [];
      timed(phases, 'decodeSnapshot', () => {
        const s = decodeSnapshot(bytes);
        timed(phases, 'queue', () => w.onSnapshot({ ...s, slot: slot }, WORKERS, WORKERS[i], 0));
      });
      timed(phases, 'compute', () => (out = w.runDue(0)));
      timed(phases, 'encodeResult', () => results.push(...out.map(encodeAreaResult)));
    });
    timed(phases, 'workersSeeResults', () => {
      for (const w of workers)
        for (const r of results) {
          const id = peekAreaResult(r);
          w.onResult(id.slot, id.area);
        }
    });
    timed(phases, 'consumer', () => {
      for (const r of results) collector.offer(decodeAreaResult(r));
    });
    slot += 1;
  };
  const warm = {
    decodeSnapshot: 0,
    queue: 0,
    compute: 0,
    encodeResult: 0,
    workersSeeResults: 0,
    consumer: 0,
  };
  for (let i = 0; i < DISTINCT_SNAPSHOTS; i += 1) oneSnapshot(warm);
  for (let r = 0; r < ROUNDS; r += 1) {
    const phases = {
      decodeSnapshot: 0,
      queue: 0,
      compute: 0,
      encodeResult: 0,
      workersSeeResults: 0,
      consumer: 0,
    };
    for (let i = 0; i < perRound; i += 1) oneSnapshot(phases);
    rounds.push(phases);
  }
  const perFrame = (phase: Phase): number =>
    Math.round((median(rounds.map((p) => p[phase])) / perRound) * 1000) / 1000;
  const phases = Object.keys(warm) as Phase[];
  const msPerFrame = Object.fromEntries(phases.map((p) => [p, perFrame(p)]));
  // decodeSnapshot's time includes queue's (queue runs inside it): report decode alone.
  msPerFrame.decodeSnapshot = Math.round((msPerFrame.decodeSnapshot - msPerFrame.queue) * 1000) / 1000;
  const total = phases.reduce((s, p) => s + msPerFrame[p], 0);
  const out = {
    case: caseName,
    pmus: grid.pmus.length,
    workers: WORKERS.length,
    areas: 3,
    replicas: 2,
    snapshotsPerRound: perRound,
    rounds: ROUNDS,
    cpuMsPerFrame: { ...msPerFrame, total: Math.round(total * 1000) / 1000 },
    computeMsMeanPerArea: workers[0].stats.computeMsTotal / workers[0].stats.areasComputed,
  };
  process.stdout.write(`${JSON.stringify(out, null, f.has('json') ? undefined : 2)}\n`);
}

main();

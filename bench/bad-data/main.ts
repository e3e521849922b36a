/**
 * Bad-data benchmark: detection and identification of planted gross errors on case2869pegase (a grid no spec
 * uses), for a redundant and a greedy PMU placement, and the greedy one with zero-injection constraints, each with
 * the errors placed independently and interacting (planting.ts). Each trial draws a noisy frame (sigma 0.002 pu)
 * and adds ERRORS_PER_TRIAL errors of 20-50 sigma, in random directions, to distinct measurements: any row
 * (`--plant all`, the default), only rows neither critical nor in a critical pair (`--plant noncritical`), or
 * rows redrawn until the trial is identifiable (`--plant identifiable`, the fair measure on enough trials).
 * `--plant conforming` runs the three setups with strongly interacting, conforming errors instead (planting.ts:
 * two errors on rows of residual correlation 0.7-0.99, turned to reinforce on a good row or to mask each other,
 * the third anywhere), redrawn until identifiable.
 * Every trial is classed by what the data can tell of its errors (identifiability.ts): the rates on the
 * 'identifiable' trials are the fair measure; the others are counted apart.
 *
 * Methods, all on the same trials: 'old' (libs/grid as issue 17 found it, run from git: legacy-grid.ts), 'plain'
 * (the same loop on today's model, with the setup's zero-injection constraints: plain-lnr.ts), 'lnr' (today's
 * default: each removal questioned), 'huber' (a Huber screen first), 'joint' (badDataIdentification
 * 'joint': a search over the suspects' subsets, near-twins removed as a group) and 'jointGuess' (the
 * same, the likelier twin removed alone) and 'jointQ' ('joint' with questionJointRemovals: each row it removed put
 * back and re-tested with the sensitivities of the rows still in, as 'lnr' questions its removals). Per method and class: detection, exact identifications, trials
 * 'flagged' (not exact, but every error out or named in a suspect group and every good row out named with an
 * error), trials with a wrong removal (a good row out that no suspect group ties to an error), missed errors, and
 * the RMS voltage error over the clean frame's. `sameTrials`: trials only 'jointQ' and only the other got exact.
 * `--trials N` (default 20) per setup, `--case NAME`; the last line is the JSON summary.
 */
import { readFileSync, rmSync } from 'node:fs';
import {
  DEFAULT_ESTIMATOR_OPTIONS,
  LinearStateEstimator,
  MeasurementModel,
  Network,
  parseMatpowerCase,
  placePmus,
  rectangular,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
  type EstimatorOptions,
  type PlacementStrategy,
} from '@gridcloud/grid';
import { classifyPlanted, IDENTIFIABILITY, trialClass, type Identifiability } from './identifiability';
import { legacyRun, loadLegacyGrid, LEGACY_GRID_COMMIT, type LegacyRun } from './legacy-grid';
import { plainLnr } from './plain-lnr';
import {
  plantRows,
  type ErrorPattern,
  type PlantedRows,
  type ConformingPivot,
  conformingPivots,
} from './planting';
import { addTrial, emptyTally, summary, type TallyByClass, type TrialOutcome } from './trial-score';
import { casePath } from '../../test/support/data-files';

const SIGMA_PU = 0.002;
const ERRORS_PER_TRIAL = 3;
const MIN_ERROR_SIGMAS = 20;
const MAX_ERROR_SIGMAS = 50;
interface Setup {
  readonly placement: PlacementStrategy;
  readonly zeroInjection: boolean;
  readonly errors: ErrorPattern;
}
/** The setups of a run: both placements, the greedy one also with zero-injection constraints, per pattern. */
function setupsFor(patterns: readonly ErrorPattern[]): Setup[] {
  return patterns.flatMap((errors) => [
    { placement: 'redundant', zeroInjection: false, errors },
    { placement: 'greedy', zeroInjection: false, errors },
    { placement: 'greedy', zeroInjection: true, errors },
  ]);
}
/** Options of the methods that run through today's estimator ('old' runs the old code, 'plain' its own loop). */
const METHODS: Record<string, Partial<EstimatorOptions>> = {
  plain: {},
  lnr: {},
  huber: { robustEstimator: 'huber' },
  joint: { badDataIdentification: 'joint' },
  jointGuess: { badDataIdentification: 'joint', removeAmbiguousGroups: false },
  jointQ: { badDataIdentification: 'joint', questionJointRemovals: true },
};
const METHOD_NAMES = ['old', ...Object.keys(METHODS)];
/** The method compared trial by trial with each other one. */
const IMPROVED = 'jointQ';

interface Frame {
  readonly zRe: Float64Array;
  readonly zIm: Float64Array;
}

function argValue(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
}

/** RMS voltage error over the buses the estimate gives a value to. */
function rmsError(
  r: { vRe: Float64Array; vIm: Float64Array; observable: Uint8Array },
  t: { re: Float64Array; im: Float64Array },
): number {
  let sum = 0;
  let count = 0;
  for (let b = 0; b < r.vRe.length; b++) {
    if (r.observable[b] === 0) continue;
    sum += (r.vRe[b] - t.re[b]) ** 2 + (r.vIm[b] - t.im[b]) ** 2;
    count++;
  }
  return Math.sqrt(sum / count);
}

/** The planted rows, their sizes in sigmas, and the frame with the errors added. */
function plantErrors(
  set: { re: Float64Array; im: Float64Array },
  { rows, angles }: PlantedRows,
  random: SeededRandom,
): Frame & { sizes: number[] } {
  const zRe = set.re.slice();
  const zIm = set.im.slice();
  const sizes = rows.map((r, k) => {
    const sigmas = MIN_ERROR_SIGMAS + (MAX_ERROR_SIGMAS - MIN_ERROR_SIGMAS) * random.next();
    const angle = angles === undefined ? 2 * Math.PI * random.next() : angles[k];
    zRe[r] += SIGMA_PU * sigmas * Math.cos(angle);
    zIm[r] += SIGMA_PU * sigmas * Math.sin(angle);
    return sigmas;
  });
  return { zRe, zIm, sizes };
}

/** Draws of planted rows per trial with `--plant identifiable` before the benchmark gives up. */
const MAX_DRAWS_PER_TRIAL = 2000;

/** One trial's planted errors; with `--plant identifiable`, redrawn until the trial is identifiable. */
function drawTrial(
  setup: Setup,
  random: SeededRandom,
  eligible: { rows: readonly number[]; identifiableOnly: boolean },
  model: MeasurementModel,
  net: Network,
  set: { re: Float64Array; im: Float64Array },
  conforming: ConformingPivot[],
  classOf: (rows: readonly number[], sizes: readonly number[]) => Identifiability,
): { planted: number[]; frame: Frame; cls: Identifiability } {
  for (let draw = 1; ; draw++) {
    const drawn = plantRows(setup.errors, random, eligible.rows, ERRORS_PER_TRIAL, model, net, conforming);
    const planted = drawn.rows;
    const frame = plantErrors(set, drawn, random);
    const cls = classOf(planted, frame.sizes);
    if (!eligible.identifiableOnly || cls === 'identifiable' || draw >= MAX_DRAWS_PER_TRIAL)
      return { planted, frame, cls };
  }
}

interface SetupRig {
  readonly model: MeasurementModel;
  readonly estimators: Record<string, LinearStateEstimator>;
  readonly old: LegacyRun;
}

/** One method on one trial's frame (its RMS ratio filled in by the caller). */
function runMethod(
  name: string,
  rig: SetupRig,
  f: Frame,
): Omit<TrialOutcome, 'rmsRatio' | 'ms'> & {
  estimate: { vRe: Float64Array; vIm: Float64Array; observable: Uint8Array };
} {
  if (name === 'old') {
    const out = rig.old(f.zRe, f.zIm);
    return { removed: out.removed, badDataRemains: out.badDataRemains, suspectGroups: [], estimate: out };
  }
  const est = rig.estimators[name];
  if (name === 'plain') {
    const out = plainLnr(est, f.zRe, f.zIm);
    return { ...out, badDataRemains: out.report.badDataRemains, suspectGroups: [], estimate: out.report };
  }
  const report = est.estimate(f.zRe, f.zIm, [], true);
  return {
    removed: report.removed.map((r) => r.row),
    badDataRemains: report.badDataRemains,
    suspectGroups: report.suspectGroups.map((g) => [...g]),
    estimate: report,
  };
}

function emptyTallies(): TallyByClass {
  return Object.fromEntries(['all', ...IDENTIFIABILITY].map((c) => [c, emptyTally()])) as TallyByClass;
}

function runSetup(
  net: Network,
  setup: Setup,
  trials: number,
  plant: string,
  legacy: (model: MeasurementModel) => LegacyRun,
): Record<string, unknown> {
  const truth = solvePowerFlow(net);
  const t = rectangular(truth);
  const pmus = placePmus(net, setup.placement);
  const random = new SeededRandom(17);
  const first = synthesizeMeasurements(net, truth, pmus, SIGMA_PU, random);
  const model = MeasurementModel.central(net, first, { zeroInjection: setup.zeroInjection });
  const seen = new LinearStateEstimator(model).observabilityReport();
  const unseen = new Set<number>(seen.criticalRows);
  for (const [i, j] of seen.criticalPairs) unseen.add(i).add(j);
  const rows = Array.from({ length: model.rowCount }, (_, r) => r);
  const eligible = {
    rows: plant === 'all' ? rows : rows.filter((r) => !unseen.has(r)),
    identifiableOnly: plant === 'identifiable' || plant === 'conforming',
  };
  const base = {
    ...DEFAULT_ESTIMATOR_OPTIONS,
    normalizedResidualDetection: true,
    criticalityAnalysis: false,
  };
  const rig: SetupRig = {
    model,
    old: legacy(model),
    estimators: Object.fromEntries(
      Object.entries(METHODS).map(([name, o]) => [name, new LinearStateEstimator(model, { ...base, ...o })]),
    ),
  };
  const tallies = Object.fromEntries(METHOD_NAMES.map((m) => [m, emptyTallies()]));
  const exactByTrial: Record<string, { exact: boolean; cls: Identifiability }[]> = Object.fromEntries(
    METHOD_NAMES.map((m) => [m, []]),
  );
  const threshold = rig.estimators.lnr.identificationThreshold(false, model.rowCount);
  const conforming =
    setup.errors === 'conforming'
      ? conformingPivots(rig.estimators.lnr, eligible.rows, threshold, MIN_ERROR_SIGMAS)
      : [];
  for (let trial = 0; trial < trials; trial++) {
    const set = synthesizeMeasurements(net, truth, pmus, SIGMA_PU, random);
    const { planted, frame, cls } = drawTrial(
      setup,
      random,
      eligible,
      model,
      net,
      set,
      conforming,
      (rows, sizes) => trialClass(classifyPlanted(rig.estimators.lnr, rows, sizes, threshold)),
    );
    if (eligible.identifiableOnly && cls !== 'identifiable')
      throw new Error(`no identifiable trial in ${MAX_DRAWS_PER_TRIAL} draws (${setup.placement})`);
    const cleanRms = rmsError(rig.estimators.lnr.estimate(set.re, set.im), t);
    for (const name of METHOD_NAMES) {
      const t0 = performance.now();
      const out = runMethod(name, rig, frame);
      const outcome = { ...out, rmsRatio: rmsError(out.estimate, t) / cleanRms, ms: performance.now() - t0 };
      addTrial(tallies[name].all, planted, outcome);
      exactByTrial[name].push({ exact: addTrial(tallies[name][cls], planted, outcome), cls });
    }
  }
  return {
    ...setup,
    zeroInjection: setup.zeroInjection ? model.zeroInjection.count : 0,
    pmus: pmus.length,
    measurements: model.rowCount,
    criticalMeasurements: seen.criticalRows.length,
    criticalPairs: seen.criticalPairs.length,
    trials,
    trialsByClass: Object.fromEntries(IDENTIFIABILITY.map((c) => [c, tallies.old[c].trials])),
    methods: Object.fromEntries(
      METHOD_NAMES.map((m) => [
        m,
        Object.fromEntries(
          ['all', ...IDENTIFIABILITY]
            .filter((c) => tallies[m][c as Identifiability | 'all'].trials > 0)
            .map((c) => [c, summary(tallies[m][c as Identifiability | 'all'])]),
        ),
      ]),
    ),
    sameTrials: sameTrialComparison(exactByTrial),
  };
}

/**
 * The improved method against each other one on the same trials, over all trials and over the identifiable
 * ones: in how many only the improved one removed exactly the planted errors, and in how many only the other did.
 */
function sameTrialComparison(
  exactByTrial: Record<string, { exact: boolean; cls: Identifiability }[]>,
): Record<string, Record<string, { onlyImproved: number; onlyOther: number }>> {
  const improved = exactByTrial[IMPROVED];
  const count = (other: string, identifiableOnly: boolean): { onlyImproved: number; onlyOther: number } => {
    const base = exactByTrial[other];
    const at = improved
      .map((_, i) => i)
      .filter((i) => !identifiableOnly || improved[i].cls === 'identifiable');
    return {
      onlyImproved: at.filter((i) => improved[i].exact && !base[i].exact).length,
      onlyOther: at.filter((i) => !improved[i].exact && base[i].exact).length,
    };
  };
  return Object.fromEntries(
    METHOD_NAMES.filter((m) => m !== IMPROVED).map((m) => [
      `${IMPROVED}VS${m[0].toUpperCase()}${m.slice(1)}`,
      { all: count(m, false), identifiable: count(m, true) },
    ]),
  );
}

async function main(): Promise<void> {
  const trials = Number(argValue('--trials', '20'));
  if (!Number.isInteger(trials) || trials < 1 || trials > 10_000)
    throw new Error(`--trials must be an integer in [1, 10000], got ${argValue('--trials', '')}`);
  const plant = argValue('--plant', 'all');
  if (!['all', 'noncritical', 'identifiable', 'conforming'].includes(plant))
    throw new Error(`--plant must be all, noncritical, identifiable or conforming, got ${plant}`);
  const patterns: ErrorPattern[] = plant === 'conforming' ? ['conforming'] : ['independent', 'interacting'];
  const name = argValue('--case', 'case2869pegase');
  const text = readFileSync(casePath(name), 'utf8');
  const net = new Network(parseMatpowerCase(text, `${name}.m`));
  const { grid, folder } = await loadLegacyGrid();
  try {
    const legacy = (model: MeasurementModel): LegacyRun => legacyRun(grid, text, `${name}.m`, model);
    const results = setupsFor(patterns).map((setup) => runSetup(net, setup, trials, plant, legacy));
    for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
    const line = { case: name, errorsPerTrial: ERRORS_PER_TRIAL, plant, oldCommit: LEGACY_GRID_COMMIT };
    process.stdout.write(`${JSON.stringify({ ...line, placements: results })}\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:bad-data: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

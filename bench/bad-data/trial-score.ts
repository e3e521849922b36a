import type { Identifiability } from './identifiability';

/** One method's outcome on one trial. */
export interface TrialOutcome {
  readonly removed: readonly number[];
  readonly badDataRemains: boolean;
  /** Rows the method names as indistinguishable from each removed row (empty for methods that name none). */
  readonly suspectGroups: readonly (readonly number[])[];
  /** RMS voltage error over the buses the estimate sees, over the clean frame's. */
  readonly rmsRatio: number;
  readonly ms: number;
}

/** Sums over the trials of one class (or all), per method. */
export interface Tally {
  trials: number;
  detected: number;
  exact: number;
  /** Not exact, but every planted error out or named in a suspect group, and every good row out named with one. */
  flagged: number;
  /** Trials where a good row went out that no suspect group ties to a planted error. */
  wrongRemovalTrials: number;
  goodRemoved: number;
  missedErrors: number;
  rmsRatioSum: number;
  ms: number;
}

export function emptyTally(): Tally {
  return {
    trials: 0,
    detected: 0,
    exact: 0,
    flagged: 0,
    wrongRemovalTrials: 0,
    goodRemoved: 0,
    missedErrors: 0,
    rmsRatioSum: 0,
    ms: 0,
  };
}

/** Adds one trial; returns whether the method removed exactly the planted rows. */
export function addTrial(t: Tally, planted: readonly number[], o: TrialOutcome): boolean {
  const removed = new Set(o.removed);
  const hits = planted.filter((r) => removed.has(r)).length;
  const exact = hits === planted.length && removed.size === planted.length;
  // Rows some suspect group puts together with a planted row: the data cannot tell them from the error.
  const tied = new Set<number>();
  for (const g of o.suspectGroups) if (g.some((r) => planted.includes(r))) g.forEach((r) => tied.add(r));
  const good = o.removed.filter((r) => !planted.includes(r));
  const wrong = good.filter((r) => !tied.has(r));
  t.trials++;
  t.detected += removed.size > 0 || o.badDataRemains ? 1 : 0;
  t.exact += exact ? 1 : 0;
  t.flagged += !exact && wrong.length === 0 && planted.every((r) => removed.has(r) || tied.has(r)) ? 1 : 0;
  t.wrongRemovalTrials += wrong.length > 0 ? 1 : 0;
  t.goodRemoved += good.length;
  t.missedErrors += planted.length - hits;
  t.rmsRatioSum += o.rmsRatio;
  t.ms += o.ms;
  return exact;
}

export function summary(t: Tally): Record<string, number> {
  const per = (n: number): number => (t.trials === 0 ? 0 : Number((n / t.trials).toFixed(3)));
  return {
    trials: t.trials,
    detectionRate: per(t.detected),
    exact: t.exact,
    flagged: t.flagged,
    wrongRemovalTrials: t.wrongRemovalTrials,
    goodRemoved: t.goodRemoved,
    missedErrors: t.missedErrors,
    meanRmsRatio: per(t.rmsRatioSum),
    msPerTrial: t.trials === 0 ? 0 : Math.round((t.ms / t.trials) * 10) / 10,
  };
}

/** Trials of each identifiability class, plus 'all'. */
export type TallyByClass = Record<Identifiability | 'all', Tally>;

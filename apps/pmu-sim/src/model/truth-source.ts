import type { GridTruth, OperatingPoint } from './grid-truth';
import type { TruthKey, TruthSchedule } from './truth-schedule';

/** Gives the operating point of a truth key; throws PowerFlowDivergenceError when the power flow has none. */
export interface TruthSource {
  pointFor(key: TruthKey): OperatingPoint;
}

/** Solves each key when asked, on the caller's thread: what the model's specs and a look-ahead of 0 use. */
export function solvingTruthSource(grid: GridTruth, schedule: TruthSchedule): TruthSource {
  return {
    pointFor(key) {
      const { loadScale, tripped } = schedule.requestOf(key);
      return grid.solve(loadScale, tripped);
    },
  };
}

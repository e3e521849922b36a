import { MeasurementModel } from '../estimator/measurement-model';
import { rectangular, synthesizeMeasurements } from '../measurements/synthetic-measurements';
import type { MeasurementSet } from '../measurements/measurement-set';
import type { Network } from '../network/network';
import { placePmus, type PlacementStrategy } from '../pmu/pmu-placement';
import { solvePowerFlow } from '../powerflow/newton-raphson';
import { SeededRandom } from '../random/seeded-random';
import { loadCaseNetwork } from './case-files';

/** A solved case with synthetic measurements, as most estimator specs need it. */
export interface EstimationFixture {
  readonly net: Network;
  readonly truthRe: Float64Array;
  readonly truthIm: Float64Array;
  readonly pmus: Int32Array;
  readonly set: MeasurementSet;
  readonly model: MeasurementModel;
}

export function estimationFixture(
  name: string,
  placement: PlacementStrategy,
  sigma: number,
  seed = 1,
): EstimationFixture {
  const net = loadCaseNetwork(name);
  const truth = solvePowerFlow(net);
  const { re, im } = rectangular(truth);
  const pmus = placePmus(net, placement);
  const set = synthesizeMeasurements(net, truth, pmus, sigma, new SeededRandom(seed));
  return { net, truthRe: re, truthIm: im, pmus, set, model: MeasurementModel.central(net, set) };
}

/** Largest |V_a - V_b| over the buses where `mask` is 1 (all when omitted). */
export function maxVoltageError(
  aRe: ArrayLike<number>,
  aIm: ArrayLike<number>,
  bRe: ArrayLike<number>,
  bIm: ArrayLike<number>,
  mask?: Uint8Array,
): number {
  let worst = 0;
  for (let i = 0; i < aRe.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    worst = Math.max(worst, Math.hypot(aRe[i] - bRe[i], aIm[i] - bIm[i]));
  }
  return worst;
}

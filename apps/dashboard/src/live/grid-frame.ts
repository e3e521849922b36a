import { maxVoltageError, type SystemEstimate, type TruthPoint } from '@gridcloud/estimation';
import { chiSquareQuantile } from '@gridcloud/grid';

/** An alarm the page shows: what kind and one sentence an operator can act on. */
export interface Alarm {
  readonly kind: 'bad-data' | 'unobservable' | 'residual' | 'angle-spread' | 'incomplete' | 'stale';
  readonly text: string;
}

/**
 * One whole-system estimate as the page draws it: per bus (dense case order) the voltage magnitude (pu) and the
 * angle (degrees, relative to the reference bus so it does not turn with the frequency), observability, the open
 * branches the estimate used, the figures behind the alarms, and pmu-sim's truth for the same instant when known.
 */
export interface GridFrame {
  readonly slot: number;
  readonly timeSec: number;
  /** Arrival of the last area's result here minus the snapshot's PMU timestamp. */
  readonly latencyMs: number;
  readonly vm: number[];
  readonly va: number[];
  readonly observable: number[];
  readonly openBranches: number[];
  readonly referenceBus: number;
  readonly angleSpreadDeg: number;
  readonly cost: number;
  readonly degreesOfFreedom: number;
  /** J above this (the 99th percentile of chi-square with the estimate's degrees of freedom) suggests bad data. */
  readonly costLimit: number | null;
  readonly badDataRemoved: number;
  readonly unobservableBuses: number;
  /** Measurements where an error cannot be detected, and pairs where it cannot be identified (the estimate's set). */
  readonly criticalMeasurements: number;
  readonly criticalPairs: number;
  readonly computeMsMax: number;
  readonly truth: { readonly vm: number[]; readonly va: number[]; readonly maxErrorPu: number } | null;
  readonly alarms: Alarm[];
}

export interface FrameContext {
  /** The case's reference bus (dense index); angles are shown relative to it. */
  readonly referenceBus: number;
  readonly angleSpreadAlarmDeg: number;
}

const DEG = 180 / Math.PI;
const COST_ALARM_PROBABILITY = 0.99;

/** Builds the page's frame of one estimate; pure, so the browser test can recompute it from its own estimate. */
export function gridFrame(
  e: SystemEstimate,
  ctx: FrameContext,
  arrivedMs: number,
  truth: TruthPoint | undefined,
): GridFrame {
  const ref = e.observable[ctx.referenceBus] === 1 ? ctx.referenceBus : firstObservable(e);
  const refAngle = ref < 0 ? 0 : Math.atan2(e.vIm[ref], e.vRe[ref]);
  const vm: number[] = [];
  const va: number[] = [];
  let [minVa, maxVa] = [Infinity, -Infinity];
  for (let b = 0; b < e.busCount; b += 1) {
    vm.push(Math.hypot(e.vRe[b], e.vIm[b]));
    const angle = wrapDeg((Math.atan2(e.vIm[b], e.vRe[b]) - refAngle) * DEG);
    va.push(angle);
    if (e.observable[b] === 1) [minVa, maxVa] = [Math.min(minVa, angle), Math.max(maxVa, angle)];
  }
  const angleSpreadDeg = maxVa >= minVa ? maxVa - minVa : 0;
  const costLimit =
    e.degreesOfFreedom > 0 ? chiSquareQuantile(e.degreesOfFreedom, COST_ALARM_PROBABILITY) : null;
  const frame = {
    slot: e.slot,
    timeSec: e.timeSec,
    latencyMs: arrivedMs - e.timeSec * 1000,
    vm,
    va,
    observable: Array.from(e.observable),
    openBranches: Array.from(e.openBranches),
    referenceBus: ref,
    angleSpreadDeg,
    cost: e.cost,
    degreesOfFreedom: e.degreesOfFreedom,
    costLimit,
    badDataRemoved: e.badDataRemoved,
    unobservableBuses: e.unobservableBuses,
    criticalMeasurements: e.criticalMeasurements,
    criticalPairs: e.criticalPairs,
    computeMsMax: e.computeMsMax,
    truth: truth === undefined ? null : truthOf(e, truth, ref),
  };
  return { ...frame, alarms: alarmsOf(frame, ctx) };
}

function alarmsOf(f: Omit<GridFrame, 'alarms'>, ctx: FrameContext): Alarm[] {
  const alarms: Alarm[] = [];
  if (f.badDataRemoved > 0)
    alarms.push({ kind: 'bad-data', text: `${f.badDataRemoved} measurement(s) removed as bad data` });
  if (f.unobservableBuses > 0)
    alarms.push({ kind: 'unobservable', text: `${f.unobservableBuses} bus(es) not observable` });
  if (f.costLimit !== null && f.cost > f.costLimit)
    alarms.push({
      kind: 'residual',
      text: `residual J ${f.cost.toFixed(1)} above ${f.costLimit.toFixed(1)} (99%)`,
    });
  if (f.angleSpreadDeg > ctx.angleSpreadAlarmDeg)
    alarms.push({
      kind: 'angle-spread',
      text: `angle spread ${f.angleSpreadDeg.toFixed(1)}° above ${ctx.angleSpreadAlarmDeg}°`,
    });
  return alarms;
}

/** The truth at the estimate's instant in the page's terms: magnitudes, angles relative to the same reference. */
function truthOf(e: SystemEstimate, t: TruthPoint, ref: number): GridFrame['truth'] {
  const n = Math.min(e.busCount, t.vm.length);
  const refAngle = ref < 0 || ref >= n ? 0 : t.va[ref];
  const va = Array.from({ length: n }, (_, b) => wrapDeg((t.va[b] - refAngle) * DEG));
  return { vm: t.vm.slice(0, n), va, maxErrorPu: maxVoltageError(e, t).maxErrorPu };
}

function firstObservable(e: SystemEstimate): number {
  return e.observable.indexOf(1);
}

/** An angle difference in (-180, 180]. */
export function wrapDeg(deg: number): number {
  const w = ((((deg + 180) % 360) + 360) % 360) - 180;
  return w === -180 ? 180 : w;
}

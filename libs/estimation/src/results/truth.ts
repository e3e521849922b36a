import { EstimationConfigError } from '../errors/estimation-config-error';

/** One operating point of pmu-sim's truth file (`{"type":"truth",...}` lines): bus voltages in polar form. */
export interface TruthPoint {
  /** The instant the point takes effect, in the snapshots' time scale (seconds since the epoch). */
  readonly timeSec: number;
  readonly busIds: readonly number[];
  readonly vm: readonly number[];
  readonly va: readonly number[];
  /** Branch rows tripped at this point. */
  readonly tripped: readonly number[];
}

/** The truth line's fields if `line` is a pmu-sim truth record, else undefined (meta lines, other output). */
export function parseTruthLine(line: string): TruthPoint | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (o === null || o.type !== 'truth' || typeof o.timeSec !== 'number') return undefined;
  if (!Array.isArray(o.busIds) || !Array.isArray(o.vm) || !Array.isArray(o.va)) return undefined;
  const tripped = Array.isArray(o.tripped) ? (o.tripped as number[]) : [];
  return {
    timeSec: o.timeSec,
    busIds: o.busIds as number[],
    vm: o.vm as number[],
    va: o.va as number[],
    tripped,
  };
}

/** The operating points of a run in time order, at most maxPoints of them (the oldest go first). */
export class TruthTimeline {
  private readonly points: TruthPoint[] = [];

  constructor(readonly maxPoints = 10_000) {
    if (!Number.isInteger(maxPoints) || maxPoints < 1)
      throw new EstimationConfigError(`maxPoints must be a positive integer, got ${maxPoints}`);
  }

  add(p: TruthPoint): void {
    let i = this.points.length;
    while (i > 0 && this.points[i - 1].timeSec > p.timeSec) i -= 1;
    this.points.splice(i, 0, p);
    if (this.points.length > this.maxPoints) this.points.shift();
  }

  /** The point in force at `timeSec` (the last one taking effect at or before it). */
  at(timeSec: number): TruthPoint | undefined {
    // Half a microsecond of slack: both sides compute the instant as slot / fps in floating point.
    const t = timeSec + 5e-7;
    for (let i = this.points.length - 1; i >= 0; i -= 1)
      if (this.points[i].timeSec <= t) return this.points[i];
    return undefined;
  }
}

/** Largest per-bus voltage error of an estimate against a truth point, after the best common rotation. */
export interface VoltageError {
  readonly maxErrorPu: number;
  /** Dense index of the bus with the largest error. */
  readonly bus: number;
  readonly comparedBuses: number;
  readonly rotationRad: number;
}

/**
 * Compares estimated bus voltages with the truth, bus by bus in dense case
 * order (pmu-sim and the estimator parse the same case). pmu-sim turns every
 * phasor with the frequency deviation, so the estimate equals the truth up to
 * one common rotation, which is removed first: the theta minimising
 * sum |V_est - e^{j theta} V_true|^2, i.e. theta = arg sum V_est conj(V_true).
 */
export function maxVoltageError(
  estimate: { readonly vRe: Float64Array; readonly vIm: Float64Array; readonly observable: Uint8Array },
  truth: TruthPoint,
): VoltageError {
  const n = Math.min(estimate.vRe.length, truth.vm.length);
  const tRe = Float64Array.from({ length: n }, (_, b) => truth.vm[b] * Math.cos(truth.va[b]));
  const tIm = Float64Array.from({ length: n }, (_, b) => truth.vm[b] * Math.sin(truth.va[b]));
  let sRe = 0;
  let sIm = 0;
  for (let b = 0; b < n; b += 1) {
    if (estimate.observable[b] === 0) continue;
    sRe += estimate.vRe[b] * tRe[b] + estimate.vIm[b] * tIm[b];
    sIm += estimate.vIm[b] * tRe[b] - estimate.vRe[b] * tIm[b];
  }
  const theta = Math.atan2(sIm, sRe);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  let worst = { maxErrorPu: 0, bus: -1, comparedBuses: 0, rotationRad: theta };
  for (let b = 0; b < n; b += 1) {
    if (estimate.observable[b] === 0) continue;
    const e = Math.hypot(
      estimate.vRe[b] - (tRe[b] * c - tIm[b] * s),
      estimate.vIm[b] - (tRe[b] * s + tIm[b] * c),
    );
    worst = { ...worst, comparedBuses: worst.comparedBuses + 1 };
    if (e > worst.maxErrorPu) worst = { ...worst, maxErrorPu: e, bus: b };
  }
  return worst;
}

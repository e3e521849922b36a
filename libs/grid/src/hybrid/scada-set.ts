import { GridConfigError } from '../errors/config-error';
import { BranchEnd } from '../measurements/measurement-set';
import { branchCurrent } from '../measurements/synthetic-measurements';
import type { Network } from '../network/network';
import { NormalSource, type RandomSource } from '../random/seeded-random';

/** What a SCADA (RTU) measurement observes; powers are per unit on the case base. */
export const ScadaKind = {
  /** Active power injected at a bus (generation minus load). */
  P_INJECTION: 0,
  Q_INJECTION: 1,
  /** Active power flowing into a branch at one end. */
  P_FLOW: 2,
  Q_FLOW: 3,
  /** Voltage magnitude at a bus. */
  V_MAGNITUDE: 4,
} as const;
export type ScadaKind = (typeof ScadaKind)[keyof typeof ScadaKind];

/** One SCADA measurement as given by the caller (bus and branch by dense index). */
export interface ScadaSpec {
  readonly kind: ScadaKind;
  /** Dense bus index for an injection or a magnitude; -1 for a flow. */
  readonly bus: number;
  /** 0-based branch row for a flow; -1 otherwise. */
  readonly branch: number;
  /** BranchEnd for a flow. */
  readonly end: number;
  readonly value: number;
  /** Standard deviation, per unit. */
  readonly sigma: number;
}

/** A SCADA scan in structure-of-arrays form (the layout identifies the set; `value` changes per scan). */
export class ScadaSet {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly bus: Int32Array;
  readonly branch: Int32Array;
  readonly end: Uint8Array;
  readonly value: Float64Array;
  readonly sigma: Float64Array;

  constructor(specs: readonly ScadaSpec[]) {
    for (const [i, s] of specs.entries())
      if (!(s.sigma > 0 && Number.isFinite(s.sigma) && Number.isFinite(s.value)))
        throw new GridConfigError(`SCADA measurement ${i + 1} needs a finite value and a positive sigma`);
    this.count = specs.length;
    this.kind = Uint8Array.from(specs, (s) => s.kind);
    this.bus = Int32Array.from(specs, (s) => s.bus);
    this.branch = Int32Array.from(specs, (s) => s.branch);
    this.end = Uint8Array.from(specs, (s) => s.end);
    this.value = Float64Array.from(specs, (s) => s.value);
    this.sigma = Float64Array.from(specs, (s) => s.sigma);
  }
}

/** Noise of synthetic SCADA, per unit: powers and voltage magnitudes. */
export interface ScadaNoise {
  readonly powerSigmaPu: number;
  readonly voltageSigmaPu: number;
}

/** Typical RTU accuracy on a 100 MVA base: 1 MW/MVAr and 0.4 % of nominal voltage. */
export const DEFAULT_SCADA_NOISE: ScadaNoise = { powerSigmaPu: 0.01, voltageSigmaPu: 0.004 };

/** Complex power injected at every bus, S = V conj(Ybus V), from rectangular voltages. */
export function busInjections(
  net: Network,
  vRe: ArrayLike<number>,
  vIm: ArrayLike<number>,
): { p: Float64Array; q: Float64Array } {
  const iRe = new Float64Array(net.busCount);
  const iIm = new Float64Array(net.busCount);
  const y = net.ybus;
  for (let k = 0; k < y.n; k += 1) {
    for (let p = y.colPtr[k]; p < y.colPtr[k + 1]; p += 1) {
      const r = y.rowIdx[p];
      iRe[r] += y.re[p] * vRe[k] - y.im[p] * vIm[k];
      iIm[r] += y.re[p] * vIm[k] + y.im[p] * vRe[k];
    }
  }
  return {
    p: Float64Array.from(iRe, (ir, i) => vRe[i] * ir + vIm[i] * iIm[i]),
    q: Float64Array.from(iRe, (ir, i) => vIm[i] * ir - vRe[i] * iIm[i]),
  };
}

/**
 * The usual RTU set of a transmission network, valued from the given
 * voltages plus Gaussian noise: P and Q injected at every bus, P and Q
 * flowing into every in-service branch at its from end, and |V| at every bus
 * with an in-service generator. Buses in `skipBuses` (de-energized) get none.
 */
export function synthesizeScada(
  net: Network,
  vRe: Float64Array,
  vIm: Float64Array,
  noise: ScadaNoise,
  random: RandomSource,
  skipBuses: ReadonlySet<number> = new Set(),
): ScadaSet {
  if (!(noise.powerSigmaPu > 0 && noise.voltageSigmaPu > 0))
    throw new GridConfigError('SCADA noise sigmas must be positive per unit');
  const normal = new NormalSource(random);
  const draw = (sigma: number): number => sigma * normal.next();
  const s = busInjections(net, vRe, vIm);
  const specs: ScadaSpec[] = [];
  const ps = noise.powerSigmaPu;
  for (let b = 0; b < net.busCount; b += 1) {
    if (skipBuses.has(b)) continue;
    specs.push({
      kind: ScadaKind.P_INJECTION,
      bus: b,
      branch: -1,
      end: 0,
      value: s.p[b] + draw(ps),
      sigma: ps,
    });
    specs.push({
      kind: ScadaKind.Q_INJECTION,
      bus: b,
      branch: -1,
      end: 0,
      value: s.q[b] + draw(ps),
      sigma: ps,
    });
  }
  for (let k = 0; k < net.branchCount; k += 1) {
    const f = net.branchFrom[k];
    if (net.branchInService[k] === 0 || skipBuses.has(f)) continue;
    const [ir, ii] = branchCurrent(net, k, BranchEnd.FROM, vRe, vIm);
    const p = vRe[f] * ir + vIm[f] * ii;
    const q = vIm[f] * ir - vRe[f] * ii;
    const at = { bus: -1, branch: k, end: BranchEnd.FROM, sigma: ps };
    specs.push({ ...at, kind: ScadaKind.P_FLOW, value: p + draw(ps) });
    specs.push({ ...at, kind: ScadaKind.Q_FLOW, value: q + draw(ps) });
  }
  const vs = noise.voltageSigmaPu;
  const generatorBuses = new Set(
    net.powerCase.gens.filter((g) => g.inService).map((g) => net.indexOf(g.bus)),
  );
  for (const b of [...generatorBuses].sort((x, y) => x - y)) {
    if (skipBuses.has(b)) continue;
    const value = Math.hypot(vRe[b], vIm[b]) + draw(vs);
    specs.push({ kind: ScadaKind.V_MAGNITUDE, bus: b, branch: -1, end: 0, value, sigma: vs });
  }
  return new ScadaSet(specs);
}

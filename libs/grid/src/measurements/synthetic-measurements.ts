import { GridConfigError } from '../errors/config-error';
import type { Network } from '../network/network';
import type { BusVoltages } from '../powerflow/power-flow-solution';
import { NormalSource, type RandomSource } from '../random/seeded-random';
import { BranchEnd, MeasurementKind, MeasurementSet, type MeasurementSpec } from './measurement-set';

/** Rectangular bus voltages from polar ones. */
export function rectangular(v: BusVoltages): { re: Float64Array; im: Float64Array } {
  return {
    re: Float64Array.from(v.vm, (m, i) => m * Math.cos(v.va[i])),
    im: Float64Array.from(v.vm, (m, i) => m * Math.sin(v.va[i])),
  };
}

/** In-service branches at each bus, with the end that touches it, in branch-row order. */
function branchesByBus(net: Network): { branch: number; end: number }[][] {
  const out: { branch: number; end: number }[][] = Array.from({ length: net.busCount }, () => []);
  for (let k = 0; k < net.branchCount; k++) {
    if (net.branchInService[k] === 0) continue;
    out[net.branchFrom[k]].push({ branch: k, end: BranchEnd.FROM });
    out[net.branchTo[k]].push({ branch: k, end: BranchEnd.TO });
  }
  return out;
}

/** Current flowing into branch k at the given end: If = Yff Vf + Yft Vt, It = Ytf Vf + Ytt Vt. */
export function branchCurrent(
  net: Network,
  k: number,
  end: number,
  vRe: ArrayLike<number>,
  vIm: ArrayLike<number>,
): [number, number] {
  const f = net.branchFrom[k];
  const t = net.branchTo[k];
  const [a, b] = end === BranchEnd.FROM ? [net.yff, net.yft] : [net.ytf, net.ytt];
  const re = a.re[k] * vRe[f] - a.im[k] * vIm[f] + b.re[k] * vRe[t] - b.im[k] * vIm[t];
  const im = a.re[k] * vIm[f] + a.im[k] * vRe[f] + b.re[k] * vIm[t] + b.im[k] * vRe[t];
  return [re, im];
}

/**
 * Synthetic PMU measurements: at each PMU bus its voltage phasor, then the
 * current of every in-service branch end at that bus; truth plus Gaussian
 * noise of standard deviation sigmaPu on each rectangular component.
 */
export function synthesizeMeasurements(
  net: Network,
  truth: BusVoltages,
  pmuBuses: ArrayLike<number>,
  sigmaPu: number,
  random: RandomSource,
): MeasurementSet {
  if (!(sigmaPu >= 0 && sigmaPu < 1))
    throw new GridConfigError(`sigma must be in [0, 1) per unit, got ${sigmaPu}`);
  const v = rectangular(truth);
  const noise = new NormalSource(random);
  const draw = (): number => (sigmaPu === 0 ? 0 : sigmaPu * noise.next());
  // A zero sigma would give an infinite weight; noise-free data still carries a nominal one.
  const sigma = sigmaPu === 0 ? 1e-3 : sigmaPu;
  const atBus = branchesByBus(net);
  const specs: MeasurementSpec[] = [];
  for (let p = 0; p < pmuBuses.length; p++) {
    const b = pmuBuses[p];
    specs.push({
      kind: MeasurementKind.VOLTAGE,
      bus: b,
      branch: -1,
      end: 0,
      re: v.re[b] + draw(),
      im: v.im[b] + draw(),
      sigma,
    });
    for (const { branch, end } of atBus[b]) {
      const [re, im] = branchCurrent(net, branch, end, v.re, v.im);
      specs.push({
        kind: MeasurementKind.CURRENT,
        bus: -1,
        branch,
        end,
        re: re + draw(),
        im: im + draw(),
        sigma,
      });
    }
  }
  return new MeasurementSet(specs);
}

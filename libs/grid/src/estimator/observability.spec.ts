import { describe, expect, it } from 'vitest';
import {
  BranchEnd,
  MeasurementKind,
  MeasurementSet,
  type MeasurementSpec,
} from '../measurements/measurement-set';
import { loadCaseNetwork } from '../testing/case-files';
import { branchCurrent, rectangular } from '../measurements/synthetic-measurements';
import { solvePowerFlow } from '../powerflow/newton-raphson';
import { LinearStateEstimator } from './linear-state-estimator';
import { MeasurementModel } from './measurement-model';
import { observableColumns } from './observability';

const net = loadCaseNetwork('case14');
const bus = (id: number): number => net.indexOf(id);

function voltage(id: number): MeasurementSpec {
  return { kind: MeasurementKind.VOLTAGE, bus: bus(id), branch: -1, end: 0, re: 1, im: 0, sigma: 0.01 };
}

function current(row: number, end: number): MeasurementSpec {
  return { kind: MeasurementKind.CURRENT, bus: -1, branch: row - 1, end, re: 0, im: 0, sigma: 0.01 };
}

function observableIds(specs: MeasurementSpec[]): number[] {
  const set = new MeasurementSet(specs);
  const known = observableColumns(MeasurementModel.central(net, set), new Uint8Array(set.count).fill(1));
  return [...known].flatMap((k, i) => (k === 1 ? [net.busIds[i]] : []));
}

describe('observableColumns', () => {
  it('a voltage fixes its bus and a current from a known end fixes the far end, transitively', () => {
    // Row 1 is 1-2, row 3 is 2-3: V1 + I(1, from) + I(3, from at bus 2) reach 1, 2, 3.
    expect(observableIds([voltage(1), current(1, BranchEnd.FROM), current(3, BranchEnd.FROM)])).toEqual([
      1, 2, 3,
    ]);
  });

  it('a current alone determines nothing', () => {
    expect(observableIds([current(1, BranchEnd.FROM)])).toEqual([]);
  });

  it('both end currents of a branch with line charging determine both ends; without charging they do not', () => {
    // Row 1 (1-2) has b = 0.0528; row 7 (4-5) has no charging, so If = -It carries one equation.
    expect(observableIds([current(1, BranchEnd.FROM), current(1, BranchEnd.TO)])).toEqual([1, 2]);
    expect(observableIds([current(7, BranchEnd.FROM), current(7, BranchEnd.TO)])).toEqual([]);
  });

  it('the estimator recovers the two ends of a charged branch from its two end currents alone', () => {
    const truth = rectangular(solvePowerFlow(net));
    const specs = [BranchEnd.FROM, BranchEnd.TO].map((end) => {
      const [re, im] = branchCurrent(net, 0, end, truth.re, truth.im);
      return { ...current(1, end), re, im };
    });
    const set = new MeasurementSet(specs);
    const report = new LinearStateEstimator(MeasurementModel.central(net, set)).estimate(set.re, set.im);
    expect([...report.observable].flatMap((k, i) => (k === 1 ? [net.busIds[i]] : []))).toEqual([1, 2]);
    for (const b of [bus(1), bus(2)]) {
      expect(Math.hypot(report.vRe[b] - truth.re[b], report.vIm[b] - truth.im[b])).toBeLessThan(1e-8);
    }
  });

  it('a missing measurement no longer counts', () => {
    const set = new MeasurementSet([voltage(1), current(1, BranchEnd.FROM)]);
    const known = observableColumns(MeasurementModel.central(net, set), Uint8Array.from([1, 0]));
    expect([...known].flatMap((k, i) => (k === 1 ? [net.busIds[i]] : []))).toEqual([1]);
  });
});

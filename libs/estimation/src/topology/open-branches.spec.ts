import { BranchEnd, MeasurementKind, MeasurementModel, MeasurementSet } from '@gridcloud/grid';
import { describe, expect, it } from 'vitest';
import { loadCase } from '../testing/grid-fixture';
import { detectOpenBranches, openBranchesToLeaveOut } from './open-branches';

const current = (branch: number, end: number): ConstructorParameters<typeof MeasurementSet>[0][number] => ({
  kind: MeasurementKind.CURRENT,
  bus: -1,
  branch,
  end,
  re: 0,
  im: 0,
  sigma: 0.002,
});

describe('detectOpenBranches (every measured current of the branch below k sigma)', () => {
  const set = new MeasurementSet([
    { kind: MeasurementKind.VOLTAGE, bus: 0, branch: -1, end: 0, re: 0, im: 0, sigma: 0.002 },
    current(3, BranchEnd.FROM),
    current(3, BranchEnd.TO),
    current(5, BranchEnd.FROM),
    current(5, BranchEnd.TO),
    current(8, BranchEnd.TO),
  ]);
  const threshold = 5 * 0.002;

  it('takes a branch whose currents read only noise as open, and one carrying current as closed', () => {
    const zRe = Float64Array.of(1, 0.003, -0.002, 0.4, -0.4, 0.004);
    const zIm = Float64Array.of(0, 0.001, 0.004, 0.1, -0.1, -0.002);
    expect([...detectOpenBranches(set, zRe, zIm, new Uint8Array(6).fill(1), threshold)]).toEqual([3, 8]);
  });

  it('one end carrying current keeps the branch closed; a branch with no current present is not judged', () => {
    const zRe = Float64Array.of(1, 0.003, 0.3, 0.001, 0, 0);
    const zIm = new Float64Array(6);
    const present = Uint8Array.of(1, 1, 1, 1, 0, 0);
    expect([...detectOpenBranches(set, zRe, zIm, present, threshold)]).toEqual([5]);
    expect([...detectOpenBranches(set, zRe, zIm, Uint8Array.of(1, 0, 0, 0, 0, 0), threshold)]).toEqual([]);
  });
});

describe('openBranchesToLeaveOut', () => {
  const net = loadCase('case14');
  const voltage = (busId: number): ConstructorParameters<typeof MeasurementSet>[0][number] => ({
    kind: MeasurementKind.VOLTAGE,
    bus: net.indexOf(busId),
    branch: -1,
    end: 0,
    re: 0,
    im: 0,
    sigma: 0.002,
  });
  // Branch row 13 is the radial transformer from bus 7 to bus 8.
  const RADIAL = 13;

  it('keeps the rows of a candidate whose removal would blind the bus behind it, and leaves out one that would not', () => {
    const blinding = MeasurementModel.central(
      net,
      new MeasurementSet([voltage(7), current(RADIAL, BranchEnd.FROM)]),
    );
    expect([...openBranchesToLeaveOut(blinding, Uint8Array.of(1, 1), Int32Array.of(RADIAL))]).toEqual([]);
    const seen = MeasurementModel.central(
      net,
      new MeasurementSet([voltage(7), voltage(8), current(RADIAL, BranchEnd.FROM)]),
    );
    expect([...openBranchesToLeaveOut(seen, Uint8Array.of(1, 1, 1), Int32Array.of(RADIAL))]).toEqual([
      RADIAL,
    ]);
    // An absent voltage at bus 8 blinds it again.
    expect([...openBranchesToLeaveOut(seen, Uint8Array.of(1, 0, 1), Int32Array.of(RADIAL))]).toEqual([]);
  });
});

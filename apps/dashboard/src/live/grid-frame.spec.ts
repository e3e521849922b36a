import { describe, expect, it } from 'vitest';
import type { SystemEstimate, TruthPoint } from '@gridcloud/estimation';
import { gridFrame, wrapDeg } from './grid-frame';

const DEG = Math.PI / 180;

/** Three buses at the given magnitudes and angles (degrees), all turned by `rotationDeg` as pmu-sim's frequency does. */
function estimate(
  vm: number[],
  vaDeg: number[],
  rotationDeg: number,
  over: Partial<SystemEstimate> = {},
): SystemEstimate {
  const a = vaDeg.map((d) => (d + rotationDeg) * DEG);
  return {
    slot: 7,
    timeSec: 100,
    busCount: vm.length,
    areaCount: 1,
    catalogVersion: 1,
    vRe: Float64Array.from(vm, (m, b) => m * Math.cos(a[b])),
    vIm: Float64Array.from(vm, (m, b) => m * Math.sin(a[b])),
    observable: new Uint8Array(vm.length).fill(1),
    unobservableBuses: 0,
    openBranches: new Int32Array(0),
    criticalMeasurements: 2,
    criticalPairs: 1,
    badDataRemoved: 0,
    cost: 5,
    degreesOfFreedom: 10,
    computeMsMax: 0.3,
    ...over,
  };
}

const ctx = { referenceBus: 0, angleSpreadAlarmDeg: 30 };

describe('gridFrame', () => {
  it('shows angles from the reference bus, whatever common rotation the phasors carry', () => {
    for (const rotation of [0, 95, -170]) {
      const f = gridFrame(estimate([1.02, 1, 0.98], [0, -10, -20], rotation), ctx, 100_050, undefined);
      expect(f.va[0]).toBeCloseTo(0, 9);
      expect(f.va[1]).toBeCloseTo(-10, 9);
      expect(f.va[2]).toBeCloseTo(-20, 9);
      expect(f.vm[2]).toBeCloseTo(0.98, 12);
      expect(f.angleSpreadDeg).toBeCloseTo(20, 9);
      expect(f.latencyMs).toBeCloseTo(50, 6);
    }
  });

  it('raises no alarm on a clean estimate and names each condition that calls for one', () => {
    expect(gridFrame(estimate([1, 1, 1], [0, -5, -10], 0), ctx, 0, undefined).alarms).toEqual([]);
    const bad = estimate([1, 1, 1], [0, -20, -40], 0, {
      badDataRemoved: 2,
      unobservableBuses: 1,
      cost: 100,
      observable: Uint8Array.of(1, 1, 1),
    });
    const kinds = gridFrame(bad, ctx, 0, undefined).alarms.map((a) => a.kind);
    expect(kinds).toEqual(['bad-data', 'unobservable', 'residual', 'angle-spread']);
  });

  it('leaves unobservable buses out of the spread and takes another reference when the case one is unobservable', () => {
    const e = estimate([1, 1, 1], [0, -10, -80], 0, { observable: Uint8Array.of(0, 1, 1) });
    const f = gridFrame(e, ctx, 0, undefined);
    expect(f.referenceBus).toBe(1);
    expect(f.va[2]).toBeCloseTo(-70, 9);
    expect(f.angleSpreadDeg).toBeCloseTo(70, 9);
  });

  it('puts the truth in the same terms and reports the largest error after the common rotation', () => {
    const truth: TruthPoint = {
      timeSec: 99,
      busIds: [1, 2, 3],
      vm: [1.02, 1, 0.98],
      va: [0.1, -0.1, -0.2],
      tripped: [],
    };
    const e = estimate([1.02, 1, 0.98], [0.1 / DEG, -0.1 / DEG, -0.2 / DEG], 33);
    const f = gridFrame(e, ctx, 0, truth);
    expect(f.truth!.va[1]).toBeCloseTo(-0.2 / DEG, 9);
    expect(f.truth!.maxErrorPu).toBeLessThan(1e-12);
  });

  it('wraps angle differences into (-180, 180]', () => {
    expect(wrapDeg(190)).toBeCloseTo(-170, 12);
    expect(wrapDeg(-180)).toBe(180);
    expect(wrapDeg(540)).toBe(180);
  });
});

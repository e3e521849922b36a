import { describe, expect, it } from 'vitest';
import { estimationFixture, maxVoltageError } from '../testing/estimation-fixture';
import { LinearStateEstimator } from './linear-state-estimator';

// The two large shared cases: a power flow and a factorization of a few seconds each.
describe('LinearStateEstimator on the large shared cases', () => {
  for (const name of ['case_ACTIVSg2000', 'case9241pegase']) {
    it(`${name}: noise-free estimate with a PMU at every bus equals the power-flow truth to 1e-8`, () => {
      const f = estimationFixture(name, 'all', 0);
      const est = new LinearStateEstimator(f.model);
      const report = est.estimate(f.set.re, f.set.im);
      expect(report.observable.every((o) => o === 1)).toBe(true);
      expect(maxVoltageError(report.vRe, report.vIm, f.truthRe, f.truthIm)).toBeLessThan(1e-8);
    });
  }

  for (const name of ['case_ACTIVSg2000', 'case9241pegase']) {
    it(`${name}: noise-free estimate from a greedy placement equals the truth to 1e-8`, () => {
      const f = estimationFixture(name, 'greedy', 0);
      const report = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im);
      expect(report.observable.every((o) => o === 1)).toBe(true);
      expect(maxVoltageError(report.vRe, report.vIm, f.truthRe, f.truthIm)).toBeLessThan(1e-8);
    });
  }
});

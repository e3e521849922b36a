import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LinearStateEstimator,
  MeasurementModel,
  Network,
  parseMatpowerCase,
  placePmus,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
} from '@gridcloud/grid';
import { EstimatorConfigError } from '../errors/estimator-config-error';
import { parseEstimatorOptions } from './estimator-options';

const CASE14 = path.resolve('data/cases/case14.m');
const CASE118 = path.resolve('data/cases/case118.m');

describe('parseEstimatorOptions', () => {
  it('reads flags, falls back to GRIDCLOUD_ variables, and gives the worker its options', () => {
    const o = parseEstimatorOptions(['--case', CASE14, '--areas', '3'], {
      GRIDCLOUD_REPLICAS: '1',
      GRIDCLOUD_AREAS: '2',
    });
    expect([o.worker.areas, o.worker.replicas, o.network.busCount]).toEqual([3, 1, 14]);
    expect(o.settings.httpPort).toBe(0);
  });

  it('zero injection on and Huber off by default, both settable by flag or GRIDCLOUD_ variable; criticality never on the frame path', () => {
    const plain = parseEstimatorOptions(['--case', CASE14], {});
    expect([plain.worker.zeroInjection, plain.worker.estimator.robustEstimator]).toEqual([true, 'none']);
    expect(plain.worker.estimator.criticalityAnalysis).toBe(false);
    const set = parseEstimatorOptions(['--case', CASE14, '--robust', 'huber'], {
      GRIDCLOUD_ZERO_INJECTION: 'off',
    });
    expect([set.worker.zeroInjection, set.worker.estimator.robustEstimator]).toEqual([false, 'huber']);
  });

  it('bad rows named by the largest normalized residual by default, jointly by flag or GRIDCLOUD_ variable', () => {
    const plain = parseEstimatorOptions(['--case', CASE14], {});
    expect(plain.worker.estimator.badDataIdentification).toBe('largestResidual');
    const flag = parseEstimatorOptions(['--case', CASE14, '--bad-data-identification', 'joint'], {});
    expect(flag.worker.estimator.badDataIdentification).toBe('joint');
    const env = parseEstimatorOptions(['--case', CASE14], { GRIDCLOUD_BAD_DATA_IDENTIFICATION: 'joint' });
    expect(env.worker.estimator.badDataIdentification).toBe('joint');
  });

  it('joint-questioned puts back a good row that joint identification removes beside two interacting errors', () => {
    // The frame of libs/grid bad-data.spec.ts (greedy case118, seed 108, two errors), through the parsed options.
    const net = new Network(parseMatpowerCase(fs.readFileSync(CASE118, 'utf8'), 'case118.m'));
    const truth = solvePowerFlow(net);
    const set = synthesizeMeasurements(net, truth, placePmus(net, 'greedy'), 0.002, new SeededRandom(108));
    const model = MeasurementModel.central(net, set);
    const zRe = set.re.slice();
    const zIm = set.im.slice();
    for (const [row, sigmas, angle] of [
      [113, 48.662, 3.074],
      [117, 26.893, 3.669],
    ]) {
      zRe[row] += sigmas * 0.002 * Math.cos(angle);
      zIm[row] += sigmas * 0.002 * Math.sin(angle);
    }
    const removedWith = (value: string): number[] => {
      const o = parseEstimatorOptions(['--case', CASE118, '--bad-data-identification', value], {});
      const options = { ...o.worker.estimator, normalizedResidualDetection: true };
      const report = new LinearStateEstimator(model, options).estimate(zRe, zIm, [], true);
      return report.removed.map((r) => r.row).sort((a, b) => a - b);
    };
    expect(removedWith('joint')).toHaveLength(3);
    expect(removedWith('joint-questioned')).toEqual([113, 117]);
  });

  it('names the flag or variable that is wrong, as an EstimatorConfigError', () => {
    const bad = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
      try {
        parseEstimatorOptions(argv, env);
      } catch (error) {
        expect(error).toBeInstanceOf(EstimatorConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad([])).toMatch(/--case is required/);
    expect(bad(['--case', CASE14], { GRIDCLOUD_REPLICAS: '0' })).toMatch(/^GRIDCLOUD_REPLICAS must be/);
    expect(bad(['--case', CASE14, '--robust', 'lav'])).toMatch(/^--robust must be one of/);
    expect(bad(['--case', CASE14, '--bad-data-identification', 'lav'])).toMatch(
      /^--bad-data-identification must be one of/,
    );
    expect(bad(['--case', CASE14, '--areas', '15'])).toMatch(/--areas must be at most the case's 14 buses/);
    expect(bad(['--case', '/no/such/case.m'])).toMatch(/^--case .*ENOENT/);
    const map = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estimator-')), 'map.json');
    fs.writeFileSync(map, '{"channels":[{"idcode":1}]}');
    expect(bad(['--case', CASE14, '--channel-map', map])).toMatch(
      /^--channel-map: .*channels\[0\]: channel must be/,
    );
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../errors/cluster-config-error';
import { parseClusterOptions } from './cluster-options';
import { effectiveDesiredState } from './effective-desired-state';

const runDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-spec-'));

describe('effectiveDesiredState', () => {
  it("writes the default desired state with this run's case, rate, ports and truth file for the supervisors", () => {
    const dir = runDir();
    const options = parseClusterOptions(['--case', 'x/case14.m', '--fps', '60', '--port-base', '31000'], {});
    const { state, path: file } = effectiveDesiredState(options, dir);
    expect(state.portBase).toBe(31_000);
    expect(state.vars).toMatchObject({
      case: path.resolve('x/case14.m'),
      fps: '60',
      truth: `${dir}/truth.jsonl`,
    });
    expect(state.services.map((s) => [s.name, s.instances])).toEqual([
      ['supervisor', 2],
      ['pmu-sim', 1],
      ['ingest', 1],
      ['estimator', 3],
      ['dashboard', 1],
      ['filestore', 3],
    ]);
    // The file the supervisors read is the same desired state, comments kept.
    const written = fs.readFileSync(file, 'utf8');
    expect(written).toContain('# The embedded cluster');
    expect(written).toContain('portBase: 31000');
  });

  it('refuses a desired state with an error naming its file and line', () => {
    const dir = runDir();
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'services:\n  a:\n    entry: a.ts\n    restart: { windowMs: 0 }\n');
    const options = parseClusterOptions(['--desired-state', bad], {});
    expect(() => effectiveDesiredState(options, dir)).toThrow(ClusterConfigError);
    expect(() => effectiveDesiredState(options, dir)).toThrow(
      `${bad}:4: services.a.restart.windowMs must be`,
    );
  });
});

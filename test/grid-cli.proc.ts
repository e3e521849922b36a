/**
 * The grid commands of the real `bin/gridcloud` executable, run as OS
 * processes on a shared MATPOWER case: power flow -> measurements -> estimate,
 * bad data, unobservable buses, area decomposition and error exits.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { casePath } from './support/data-files';

const ROOT = resolve(import.meta.dirname, '..');
const CASE14 = casePath('case14');
const dir = mkdtempSync(join(tmpdir(), 'gridcloud-cli-'));
const at = (name: string): string => join(dir, name);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function gridcloud(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(join(ROOT, 'bin/gridcloud'), args, { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** bus -> complex voltage from a `bus,vm,va_deg` file, parsed here independently of the library. */
function voltages(path: string): Map<number, [number, number]> {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  expect(header).toBe('bus,vm,va_deg');
  return new Map(
    rows.map((r) => {
      const [bus, vm, va] = r.split(',').map(Number);
      return [bus, [vm * Math.cos((va * Math.PI) / 180), vm * Math.sin((va * Math.PI) / 180)]];
    }),
  );
}

function maxGap(a: Map<number, [number, number]>, b: Map<number, [number, number]>): number {
  let worst = 0;
  for (const [bus, [re, im]] of a) {
    const other = b.get(bus);
    if (other === undefined) throw new Error(`bus ${bus} missing`);
    worst = Math.max(worst, Math.hypot(re - other[0], im - other[1]));
  }
  return worst;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridcloud powerflow / measurements / estimate', () => {
  it('estimates the power-flow truth from noise-free measurements to 1e-8', async () => {
    const pf = await gridcloud('powerflow', '--case', CASE14, '--out', at('truth.csv'));
    expect(pf.code, pf.stderr).toBe(0);
    expect(pf.stderr).toMatch(/case14: 14 buses, converged in \d+ iterations/);
    const m = await gridcloud(
      'measurements',
      '--case',
      CASE14,
      '--sigma',
      '0',
      '--placement',
      'redundant',
      '--out',
      at('m0.csv'),
      '--truth',
      at('truth.csv'),
    );
    expect(m.code, m.stderr).toBe(0);
    expect(readFileSync(at('m0.csv'), 'utf8').split('\n')[0]).toBe('kind,bus,branch,end,re,im,sigma');
    const est = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m0.csv'),
      '--out',
      at('est0.csv'),
    );
    expect(est.code, est.stderr).toBe(0);
    const truth = voltages(at('truth.csv'));
    const estimate = voltages(at('est0.csv'));
    expect(estimate.size).toBe(14);
    expect(maxGap(estimate, truth)).toBeLessThan(1e-8);
  });

  it('removes a planted gross error with --bad-data and names its CSV line', async () => {
    const m = await gridcloud(
      'measurements',
      '--case',
      CASE14,
      '--placement',
      'all',
      '--sigma',
      '0.002',
      '--seed',
      '4',
      '--out',
      at('m.csv'),
    );
    expect(m.code, m.stderr).toBe(0);
    const lines = readFileSync(at('m.csv'), 'utf8').split('\n');
    const target = lines.findIndex((l, i) => i > 20 && l.startsWith('I,'));
    const f = lines[target].split(',');
    f[4] = String(Number(f[4]) + 0.05);
    lines[target] = f.join(',');
    writeFileSync(at('m-bad.csv'), lines.join('\n'));
    const plain = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m-bad.csv'),
      '--out',
      at('est-plain.csv'),
    );
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/BAD DATA REMAINS/);
    const cleaned = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m-bad.csv'),
      '--out',
      at('est-clean.csv'),
      '--bad-data',
    );
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stderr).toContain(`bad data removed: measurement on CSV line ${target + 1} `);
    expect(cleaned.stderr).not.toMatch(/BAD DATA REMAINS/);
    for (const identification of ['joint', 'joint-questioned']) {
      const joint = await gridcloud(
        'estimate',
        '--case',
        CASE14,
        '--measurements',
        at('m-bad.csv'),
        '--out',
        at(`est-${identification}.csv`),
        '--bad-data',
        '--bad-data-identification',
        identification,
      );
      expect(joint.code, joint.stderr).toBe(0);
      expect(joint.stderr).toContain(`bad data removed: measurement on CSV line ${target + 1} `);
      expect(joint.stderr).not.toMatch(/BAD DATA REMAINS/);
    }
    const unknown = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m-bad.csv'),
      '--out',
      at('x.csv'),
      '--bad-data-identification',
      'pairs',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /--bad-data-identification expects 'largest-residual', 'joint' or 'joint-questioned', got 'pairs'/,
    );
  });

  it('--robust huber screens the planted error out too; --zero-injection constrains case14 bus 7 and keeps exact data exact', async () => {
    const huber = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m-bad.csv'),
      '--out',
      at('est-huber.csv'),
      '--bad-data',
      '--robust',
      'huber',
    );
    expect(huber.code, huber.stderr).toBe(0);
    expect(huber.stderr).toMatch(/bad data removed: measurement on CSV line \d+ /);
    expect(huber.stderr).not.toMatch(/BAD DATA REMAINS/);
    const m = await gridcloud(
      'measurements',
      '--case',
      CASE14,
      '--sigma',
      '0',
      '--placement',
      'greedy',
      '--out',
      at('m-greedy.csv'),
      '--truth',
      at('truth.csv'),
    );
    expect(m.code, m.stderr).toBe(0);
    const zi = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m-greedy.csv'),
      '--out',
      at('est-zi.csv'),
      '--zero-injection',
    );
    expect(zi.code, zi.stderr).toBe(0);
    expect(zi.stderr).toContain('zero-injection constraints: 1\n');
    expect(maxGap(voltages(at('est-zi.csv')), voltages(at('truth.csv')))).toBeLessThan(1e-6);
    const wrong = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m-greedy.csv'),
      '--out',
      at('x.csv'),
      '--robust',
      'lav',
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--robust expects 'huber' or 'none', got 'lav'/);
  });

  it('lists an unobservable bus on stderr and leaves it out of the estimate', async () => {
    const m = await gridcloud(
      'measurements',
      '--case',
      CASE14,
      '--placement',
      'all',
      '--sigma',
      '0',
      '--out',
      at('m-all.csv'),
    );
    expect(m.code).toBe(0);
    // Bus 8 hangs on the single branch 7-8 (row 14): drop its PMU and the current measured on that branch.
    const kept = readFileSync(at('m-all.csv'), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('V,8,') && !l.startsWith('I,,14,'));
    writeFileSync(at('m-unobs.csv'), kept.join('\n'));
    const est = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m-unobs.csv'),
      '--out',
      at('est-unobs.csv'),
    );
    expect(est.code, est.stderr).toBe(0);
    expect(est.stderr).toContain('unobservable buses (left out): 8\n');
    const estimate = voltages(at('est-unobs.csv'));
    expect(estimate.size).toBe(13);
    expect(estimate.has(8)).toBe(false);
  });

  it('runs the two-level area estimator and reports its distance to the centralized estimate', async () => {
    const est = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m.csv'),
      '--out',
      at('est-areas.csv'),
      '--areas',
      '3',
    );
    expect(est.code, est.stderr).toBe(0);
    expect(est.stderr).toMatch(
      /areas: 3 area estimators, \d+ boundary buses reconciled; max \|V_area - V_central\| = [0-9.e+-]+ pu/,
    );
    expect(voltages(at('est-areas.csv')).size).toBe(14);
  });

  it.each([
    [
      'm-unknown.csv',
      'V,1,,,1.06,0,0.01\nV,99,,,1,0,0.01\n',
      "m-unknown.csv:3: unknown bus '99' (not in case case14)",
    ],
    ['m-range.csv', 'I,,21,from,1,0,0.01\n', "m-range.csv:2: branch row '21' out of range: expected 1..20"],
    ['m-num.csv', 'V,1,,,1.06,zero,0.01\n', "m-num.csv:2: expected a finite number for im, found 'zero'"],
  ])('exits non-zero naming the CSV line of a bad measurement (%s)', async (name, rows, message) => {
    writeFileSync(at(name), `kind,bus,branch,end,re,im,sigma\n${rows}`);
    const r = await gridcloud('estimate', '--case', CASE14, '--measurements', at(name), '--out', at('x.csv'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it('exits non-zero naming the case file line of a malformed case, and 2 on a usage error', async () => {
    const text = readFileSync(CASE14, 'utf8').replace('47.8\t-3.9', '47.8\t-3.9q');
    writeFileSync(at('broken.m'), text);
    const r = await gridcloud('powerflow', '--case', at('broken.m'), '--out', at('x.csv'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.m:28: expected a number in mpc\.bus, found '-3\.9q'/);
    const usage = await gridcloud('measurements', '--case', CASE14);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing required option --out');
    const unknown = await gridcloud(
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      at('m.csv'),
      '--out',
      at('x.csv'),
      '--areas',
      'two',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--areas expects a positive integer or 'case', got 'two'");
  });
});

/**
 * Hostile inputs to the grid commands of the real `bin/gridcloud`, as an
 * attacker would feed them: endless matrices and CSVs on a pipe, a line
 * without end, non-finite values and bus numbers past the supported range.
 * Each run is a real OS process watched by ./cli-rig.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chunkOf, oneLine, report, RSS_CEILING_BYTES, runHostile } from './cli-rig';
import { casePath } from '../support/data-files';

const CASE14 = casePath('case14');
const dir = mkdtempSync(join(tmpdir(), 'hostile-cli-'));
const at = (name: string): string => join(dir, name);

const CASE_HEAD = "function mpc = endless\nmpc.version = '2';\nmpc.baseMVA = 100;\nmpc.bus = [\n";
const BUS_ROW = '1 3 0 0 0 0 1 1 0 230 1 1.1 0.9;';

/** A small valid case whose one line `replace` turns hostile. */
function caseWith(edit: (text: string) => string): string {
  const text = `function mpc = tiny
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
  1 3 0 0 0 0 1 1 0 230 1 1.1 0.9;
  2 1 50 10 0 0 1 1 0 230 1 1.1 0.9;
];
mpc.gen = [
  1 0 0 100 -100 1.02 100 1 200 0;
];
mpc.branch = [
  1 2 0.01 0.1 0.02 0 0 0 0 0 1 -360 360;
];
`;
  const out = edit(text);
  expect(out).not.toBe(text);
  const file = at(`case-${Math.random().toString(36).slice(2)}.m`);
  writeFileSync(file, out);
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridcloud grid commands under hostile input', () => {
  it('refuses an endless bus matrix on a pipe at --max-case-rows, in one line and bounded memory', async () => {
    const head = Buffer.from(CASE_HEAD);
    const body = chunkOf(BUS_ROW);
    const run = await runHostile(dir, ['powerflow', '--case', '@fifo', '--out', at('pf.csv')], {
      head,
      chunk: body,
    });
    expect(run.killedForMemory, `peak RSS ${run.peakRssBytes}`).toBe(false);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      /^gridcloud powerflow: \S+fifo-\w+:\d+: mpc\.bus has more than 500000 rows/,
    );
    expect(run.stderr).toMatch(/--max-case-rows/);
    report(run);
    expect(run.peakRssBytes).toBeLessThan(RSS_CEILING_BYTES / 2);
  });

  it('refuses an endless measurement CSV on a pipe at --max-csv-rows, in one line and bounded memory', async () => {
    const run = await runHostile(
      dir,
      ['estimate', '--case', CASE14, '--measurements', '@fifo', '--out', at('est.csv')],
      { head: Buffer.from('kind,bus,branch,end,re,im,sigma\n'), chunk: chunkOf('V,1,,,1.06,0,0.01') },
    );
    expect(run.killedForMemory, `peak RSS ${run.peakRssBytes}`).toBe(false);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      /^gridcloud estimate: \S+fifo-\w+:\d+: more than 500000 measurement rows/,
    );
    expect(run.stderr).toMatch(/--max-csv-rows/);
    report(run);
    expect(run.peakRssBytes).toBeLessThan(RSS_CEILING_BYTES / 2);
  });

  it('refuses a line that never ends at --max-line-bytes', async () => {
    const run = await runHostile(
      dir,
      ['estimate', '--case', CASE14, '--measurements', '@fifo', '--out', at('est.csv')],
      { chunk: Buffer.alloc(65536, '1') },
    );
    expect(run.killedForMemory, `peak RSS ${run.peakRssBytes}`).toBe(false);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toMatch(/^gridcloud estimate: \S+fifo-\w+:1: line longer than 1048576 bytes/);
    report(run);
    expect(run.peakRssBytes).toBeLessThan(RSS_CEILING_BYTES / 2);
  });

  it('applies a lower --max-csv-rows to a measurement file', async () => {
    const file = at('many.csv');
    writeFileSync(file, `kind,bus,branch,end,re,im,sigma\n${'V,1,,,1.06,0,0.01\n'.repeat(1001)}`);
    const run = await runHostile(dir, [
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      file,
      '--out',
      at('est.csv'),
      '--max-csv-rows',
      '1000',
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toBe(
      `gridcloud estimate: ${file}:1002: more than 1000 measurement rows (--max-csv-rows)`,
    );
  });

  const badCases: [string, (t: string) => string, RegExp][] = [
    [
      'bus Pd = Inf',
      (t) => t.replace('2 1 50 10', '2 1 Inf 10'),
      /:6: mpc\.bus column 3 \(Pd\) must be a finite number, found Inf$/,
    ],
    [
      'branch x = Inf',
      (t) => t.replace('0.01 0.1 0.02', '0.01 Inf 0.02'),
      /:12: mpc\.branch column 4 \(x\) must be a finite number, found Inf$/,
    ],
    [
      'bus number 3000000000',
      (t) => t.replace(/^ {2}2 1 50/m, '  3000000000 1 50').replace('1 2 0.01', '1 3000000000 0.01'),
      /:6: bus number 3000000000 is outside the supported range 1\.\.2147483647/,
    ],
    [
      'bus number 4294967310',
      (t) => t.replace(/^ {2}2 1 50/m, '  4294967310 1 50').replace('1 2 0.01', '1 4294967310 0.01'),
      /:6: bus number 4294967310 is outside the supported range 1\.\.2147483647/,
    ],
  ];
  for (const [what, edit, message] of badCases) {
    it(`exits 1 naming the line for ${what}, writing nothing`, async () => {
      const out = at(`pf-${what.replace(/\W+/g, '-')}.csv`);
      const run = await runHostile(dir, ['powerflow', '--case', caseWith(edit), '--out', out]);
      expect(run.code, run.stderr).toBe(1);
      expect(oneLine(run.stderr)).toMatch(message);
      expect(() => readFileSync(out)).toThrow(/ENOENT/);
    });
  }
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaseFormatError } from '../errors/case-format-error';
import { casePath } from '../testing/case-files';
import { parseMatpowerCase } from './matpower-parser';

const TINY = `function mpc = tiny
% a comment line
mpc.version = '2';
mpc.baseMVA = 100; % trailing comment
mpc.bus = [
  10 3 0 0 0 0 1 1 0 230 1 1.1 0.9;
  20 1 50 10 0 5 2 1 0 230 1 1.1 0.9
  7  2 0 0 0 0 1 1 0 230 1 1.1 0.9; 30 1 10 0 0 0 1 1 0 230 1 1.1 0.9;
];
mpc.gen = [
  10 0 0 100 -100 1.02 100 1 200 0;
  7 40 0 100 -100 1.01 100 0 200 0;
];
mpc.branch = [
  10 20 0.01 0.1 0.02 0 0 0 0 0 1 -360 360;
  20 7 0 0.2 0 0 0 0 0.98 3 1 -360 360;
  7 30 0.02 0.2 0 0 0 0 0 0 0 -360 360;
];
mpc.bus_name = {
  'A';
  'B';
};
`;

function errorOf(text: string): CaseFormatError {
  try {
    parseMatpowerCase(text, 'bad.m');
  } catch (e) {
    if (e instanceof CaseFormatError) return e;
    throw e;
  }
  throw new Error('expected a CaseFormatError');
}

describe('parseMatpowerCase', () => {
  it('reads rows ended by semicolons or newlines, skips comments and cell arrays, keeps bus numbers', () => {
    const c = parseMatpowerCase(TINY, 'tiny.m');
    expect(c.baseMVA).toBe(100);
    expect(c.buses.map((b) => b.id)).toEqual([10, 20, 7, 30]);
    expect(c.buses[1]).toMatchObject({ pd: 50, qd: 10, bs: 5, area: 2, line: 7 });
    expect(c.gens.map((g) => g.inService)).toEqual([true, false]);
    expect(c.branches[1]).toMatchObject({ from: 20, to: 7, ratio: 0.98, angleDeg: 3, inService: true });
    expect(c.branches[2].inService).toBe(false);
  });

  it('reads every shared case with the documented sizes', () => {
    const sizes: Record<string, [number, number]> = {
      case14: [14, 20],
      case30: [30, 41],
      case57: [57, 80],
      case118: [118, 186],
      case300: [300, 411],
      case_ACTIVSg2000: [2000, 3206],
      case9241pegase: [9241, 16049],
    };
    for (const [name, [buses, branches]] of Object.entries(sizes)) {
      const c = parseMatpowerCase(readFileSync(casePath(name), 'utf8'), name);
      expect([c.buses.length, c.branches.length], name).toEqual([buses, branches]);
    }
  });

  it('names the line and the expectation for a malformed number', () => {
    const e = errorOf(TINY.replace('50 10', '5x0 10'));
    expect(e.line).toBe(7);
    expect(e.message).toBe("bad.m:7: expected a number in mpc.bus, found '5x0'");
  });

  it('names the line of a row with too few columns', () => {
    const e = errorOf(TINY.replace('10 20 0.01 0.1 0.02 0 0 0 0 0 1 -360 360;', '10 20 0.01;'));
    expect(e.message).toBe('bad.m:15: expected at least 11 columns in mpc.branch, found 3');
  });

  it('rejects a branch to an unknown bus, a duplicate bus, an unclosed matrix and a missing table', () => {
    expect(errorOf(TINY.replace('7 30 0.02', '7 99 0.02')).message).toMatch(
      /^bad\.m:17: branch 7-99 refers to an unknown bus/,
    );
    expect(errorOf(TINY.replace('; 30 1 10', '; 20 1 10')).message).toMatch(
      /bad\.m:8: bus number 20 appears twice/,
    );
    expect(errorOf(TINY.slice(0, TINY.indexOf('];\nmpc.gen'))).message).toMatch(
      /expected '\]' to close mpc\.bus opened on line 5/,
    );
    expect(errorOf(TINY.replace('mpc.branch = [', 'mpc.lines = [')).message).toMatch(
      /expected an 'mpc\.branch = \[\.\.\.\]' matrix/,
    );
    expect(errorOf(TINY.replace("mpc.version = '2'", "mpc.version = '1'")).message).toMatch(
      /bad\.m:3: expected MATPOWER case format version '2'/,
    );
  });

  it('requires finite values in the columns it uses, keeps Inf legal elsewhere, and bounds bus numbers', () => {
    expect(errorOf(TINY.replace('20 1 50 10', '20 1 Inf 10')).message).toBe(
      'bad.m:7: mpc.bus column 3 (Pd) must be a finite number, found Inf',
    );
    expect(errorOf(TINY.replace('7 30 0.02 0.2', '7 30 0.02 -Inf')).message).toBe(
      'bad.m:17: mpc.branch column 4 (x) must be a finite number, found -Inf',
    );
    expect(parseMatpowerCase(TINY.replace('10 0 0 100 -100', '10 0 0 Inf -Inf'), 't.m').gens).toHaveLength(2);
    expect(errorOf(TINY.replace('; 30 1 10', '; 2147483648 1 10')).message).toBe(
      'bad.m:8: bus number 2147483648 is outside the supported range 1..2147483647',
    );
    expect(errorOf(TINY.replace('mpc.baseMVA = 100', 'mpc.baseMVA = Inf')).message).toMatch(
      /bad\.m:4: expected a positive finite baseMVA/,
    );
  });

  it('reads lines from an iterable and stops a matrix at maxCaseRows, naming the line', () => {
    const lines = TINY.split('\n');
    expect(parseMatpowerCase(lines, 't.m').buses).toHaveLength(4);
    expect(() => parseMatpowerCase(lines, 'bad.m', { maxCaseRows: 3, maxCsvRows: 10 })).toThrow(
      'bad.m:8: mpc.bus has more than 3 rows (--max-case-rows)',
    );
  });
});

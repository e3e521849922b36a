import { describe, expect, it } from 'vitest';
import { parseMatpowerCase } from '../case/matpower-parser';
import { CsvFormatError } from '../errors/csv-format-error';
import { Network } from '../network/network';
import { estimationFixture } from '../testing/estimation-fixture';
import { formatMeasurementCsv, parseMeasurementCsv } from './measurement-csv';
import { formatVoltageCsv, parseVoltageCsv } from './voltage-csv';

const NET = new Network(
  parseMatpowerCase(
    `mpc.baseMVA = 100;
mpc.bus = [ 4 3 0 0 0 0 1 1 0 1 1 1 1; 8 1 0 0 0 0 1 1 0 1 1 1 1; ];
mpc.branch = [ 4 8 0.01 0.1 0 0 0 0 0 0 1 0 0; 4 8 0.01 0.1 0 0 0 0 0 0 0 0 0; ];`,
    'two.m',
  ),
);

function lineError(csv: string): string {
  try {
    parseMeasurementCsv(csv, NET, 'm.csv');
  } catch (e) {
    if (e instanceof CsvFormatError) return e.message;
    throw e;
  }
  throw new Error('expected a CsvFormatError');
}

const HEAD = 'kind,bus,branch,end,re,im,sigma\n';

describe('measurement CSV', () => {
  it('round-trips a measurement set exactly', () => {
    const f = estimationFixture('case30', 'redundant', 0.002, 8);
    const text = formatMeasurementCsv(f.set, f.net);
    const back = parseMeasurementCsv(text, f.net, 'm.csv');
    expect(back.set).toEqual(f.set);
    expect(back.lines[0]).toBe(2);
  });

  it('reads V and I rows by bus number and 1-based branch row', () => {
    const { set } = parseMeasurementCsv(`${HEAD}V,8,,,1,0.5,0.01\nI,,1,to,0.1,-0.2,0.02\n`, NET, 'm.csv');
    expect([...set.bus]).toEqual([1, -1]);
    expect([...set.branch]).toEqual([-1, 0]);
    expect([...set.end]).toEqual([0, 1]);
  });

  it('names the CSV line of each kind of error', () => {
    expect(lineError(`${HEAD}V,8,,,1,0,0.01\nV,5,,,1,0,0.01\n`)).toBe(
      "m.csv:3: unknown bus '5' (not in case two)",
    );
    expect(lineError(`${HEAD}I,,3,from,1,0,0.01\n`)).toBe(
      "m.csv:2: branch row '3' out of range: expected 1..2",
    );
    expect(lineError(`${HEAD}I,,2,from,1,0,0.01\n`)).toBe(
      'm.csv:2: branch row 2 is out of service in case two',
    );
    expect(lineError(`${HEAD}V,4,,,1,x,0.01\n`)).toBe("m.csv:2: expected a finite number for im, found 'x'");
    expect(lineError(`${HEAD}V,4,,,1,0,0\n`)).toBe('m.csv:2: expected a positive sigma, found 0');
    expect(lineError(`${HEAD}I,,1,middle,1,0,0.01\n`)).toBe(
      "m.csv:2: expected end 'from' or 'to', found 'middle'",
    );
    expect(lineError(`${HEAD}P,4,,,1,0,0.01\n`)).toBe("m.csv:2: expected kind 'V' or 'I', found 'P'");
    expect(lineError(`${HEAD}V,4,,1,0,0.01\n`)).toBe('m.csv:2: expected 7 comma-separated fields, found 6');
    expect(lineError('bus,re,im\n')).toBe(
      "m.csv:1: expected header 'kind,bus,branch,end,re,im,sigma', found 'bus,re,im'",
    );
  });
});

describe('voltage CSV', () => {
  it('round-trips bus voltages and can leave buses out', () => {
    const v = { vm: Float64Array.from([1.01, 0.97]), va: Float64Array.from([0, -0.1234]) };
    const text = formatVoltageCsv(NET, v, Uint8Array.from([0, 1]));
    expect(text.split('\n')[1]).toMatch(/^8,0\.97,/);
    const back = parseVoltageCsv(text, NET, 't.csv');
    expect([...back.present]).toEqual([0, 1]);
    expect(back.va[1]).toBeCloseTo(-0.1234, 15);
    expect(() => parseVoltageCsv('bus,vm,va_deg\n8,abc,0\n', NET, 't.csv')).toThrow(
      "t.csv:2: expected a finite number for vm, found 'abc'",
    );
  });

  it('reads lines from an iterable and refuses rows past maxCsvRows', () => {
    const rows = [HEAD.trim(), 'V,4,,,1,0,0.01', '', 'V,8,,,1,0,0.01'];
    expect(parseMeasurementCsv(rows, NET, 'm.csv').lines).toEqual(Int32Array.from([2, 4]));
    expect(() => parseMeasurementCsv(rows, NET, 'm.csv', { maxCaseRows: 10, maxCsvRows: 1 })).toThrow(
      'm.csv:4: more than 1 measurement rows (--max-csv-rows)',
    );
  });
});

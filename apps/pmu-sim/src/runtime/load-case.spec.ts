import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseFileError } from '../errors/case-file-error';
import { casePath } from '../testing/case-files';
import { loadCase } from './pmu-sim-app';

describe('loadCase', () => {
  it('reads a MATPOWER case', () => {
    expect(loadCase(casePath('case14.m')).buses).toHaveLength(14);
  });

  it.each([
    [
      'a missing file',
      '/nonexistent/case.m',
      /^--case \/nonexistent\/case\.m cannot be read \(no such file\)/,
    ],
    ['a directory', os.tmpdir(), /^--case .* cannot be read \(EISDIR/],
  ])('refuses %s with one line naming --case and the path', (_, file, message) => {
    expect(() => loadCase(file)).toThrow(CaseFileError);
    expect(() => loadCase(file)).toThrow(message);
  });

  it('refuses a file that is not a MATPOWER case', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'case-')), 'notes.m');
    fs.writeFileSync(file, 'hello\n');
    expect(() => loadCase(file)).toThrow(CaseFileError);
    expect(() => loadCase(file)).toThrow(/is not a MATPOWER case/);
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});

import { describe, expect, it } from 'vitest';
import { FileStorePathError } from '../errors';
import { MAX_FILE_PATH_LENGTH, validateFilePath } from './file-path';

describe('validateFilePath', () => {
  it('accepts slash-separated printable segments', () => {
    for (const path of ['a', 'pmu/17/2026-12-02T11', 'estimates/área 1/x.bin', '...', '.hidden'])
      expect(validateFilePath(path)).toBe(path);
  });

  it('names the rule a bad path breaks', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['', /is empty/],
      ['a/../b', /segment 2 is '\.\.'/],
      ['..', /segment 1 is '\.\.'/],
      ['./a', /segment 1 is '\.'/],
      ['/a', /segment 1 is empty/],
      ['a/', /segment 2 is empty/],
      ['a//b', /segment 2 is empty/],
      ['a\\b', /U\+005c at 1/],
      ['a\u0000b', /U\+0000 at 1/],
      ['x'.repeat(MAX_FILE_PATH_LENGTH + 1), /at most 1024/],
      [`a/${'y'.repeat(256)}`, /segment 2 is 256 characters long/],
      [42, /must be a string/],
    ];
    for (const [path, reason] of cases) {
      expect(() => validateFilePath(path as string)).toThrow(FileStorePathError);
      expect(() => validateFilePath(path as string)).toThrow(reason);
    }
  });
});

/**
 * The input bounds every grid command takes: `--max-case-rows`,
 * `--max-csv-rows` and `--max-line-bytes`, with the library defaults.
 */
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '@gridcloud/grid';
import { UsageError } from '../usage-error';
import { DEFAULT_MAX_LINE_BYTES } from './file-lines';

export const INPUT_OPTIONS = {
  'max-case-rows': { type: 'string' },
  'max-csv-rows': { type: 'string' },
  'max-line-bytes': { type: 'string' },
} as const;

export const INPUT_USAGE = [
  `  --max-case-rows N   most rows of one case matrix (default ${DEFAULT_INPUT_LIMITS.maxCaseRows})`,
  `  --max-csv-rows N    most measurement CSV rows (default ${DEFAULT_INPUT_LIMITS.maxCsvRows})`,
  `  --max-line-bytes N  longest input line in bytes (default ${DEFAULT_MAX_LINE_BYTES})`,
].join('\n');

export interface InputBounds extends InputLimits {
  readonly maxLineBytes: number;
}

export function inputBounds(values: Record<string, unknown>): InputBounds {
  return {
    maxCaseRows: positive(values, 'max-case-rows', DEFAULT_INPUT_LIMITS.maxCaseRows),
    maxCsvRows: positive(values, 'max-csv-rows', DEFAULT_INPUT_LIMITS.maxCsvRows),
    maxLineBytes: positive(values, 'max-line-bytes', DEFAULT_MAX_LINE_BYTES),
  };
}

function positive(values: Record<string, unknown>, key: string, fallback: number): number {
  const raw = values[key];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw === '' || !Number.isSafeInteger(v) || v < 1)
    throw new UsageError(`--${key} expects a positive integer, got '${String(raw)}'`);
  return v;
}

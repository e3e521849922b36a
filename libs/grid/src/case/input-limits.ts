import { GridConfigError } from '../errors/config-error';

/**
 * Bounds on what one input file may make the parsers hold, so a hostile or
 * broken file fails with a message naming its line instead of exhausting the
 * heap. The command line sets them with `--max-case-rows` and `--max-csv-rows`.
 */
export interface InputLimits {
  /** Most rows of any one `mpc.<name>` matrix of a case file (the largest public cases have about 100,000). */
  readonly maxCaseRows: number;
  /** Most measurement rows of a measurement CSV. */
  readonly maxCsvRows: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxCaseRows: 500_000, maxCsvRows: 500_000 };

/** Bus numbers are held as 32-bit signed integers; larger ones would wrap. */
export const MAX_BUS_NUMBER = 2_147_483_647;

export function validateInputLimits(limits: InputLimits): InputLimits {
  for (const key of ['maxCaseRows', 'maxCsvRows'] as const) {
    const v = limits[key];
    if (!Number.isSafeInteger(v) || v < 1)
      throw new GridConfigError(`${key} must be a positive integer number of rows, got ${String(v)}`);
  }
  return limits;
}

import { GridError } from './grid-error';

/** A MATPOWER case file that cannot be read; the message names the file line and what was expected. */
export class CaseFormatError extends GridError {
  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${source}:${line}: ${detail}`);
  }
}

import { GridError } from './grid-error';

/** A measurement or voltage CSV line that cannot be used; the message names the CSV line and what was expected. */
export class CsvFormatError extends GridError {
  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${source}:${line}: ${detail}`);
  }
}

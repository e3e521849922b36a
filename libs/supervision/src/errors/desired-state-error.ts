/** The desired-state file is not valid; the message names the file, the line and what was wrong. */
export class DesiredStateError extends Error {
  override readonly name = 'DesiredStateError';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
  }
}

/**
 * The --case file cannot be read or is not a MATPOWER case. A configuration
 * error: the message names the flag, the path and what was wrong, on one line.
 */
export class CaseFileError extends Error {
  override readonly name = 'CaseFileError';
}

/** A command-line flag or option of the PMU simulator is missing or out of range; the message names the flag. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
}

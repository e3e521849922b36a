/**
 * A bound or option given to the aligner, the statistics or a session is
 * invalid. Thrown at construction so a misconfiguration stops start-up with a
 * message naming the option, its unit and the accepted range.
 */
export class PdcConfigError extends Error {
  override readonly name = 'PdcConfigError';
}

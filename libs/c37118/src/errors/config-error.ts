/**
 * A bound or option given to a decoder, reader or server is invalid. Thrown at
 * construction so a misconfiguration stops start-up with a clear message.
 */
export class C37ConfigError extends Error {
  override readonly name = 'C37ConfigError';
}

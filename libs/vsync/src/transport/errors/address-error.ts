/** An address string is not of the form "host:port"; the message names the offending value. */
export class AddressError extends Error {
  override readonly name = 'AddressError';

  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(`invalid address '${address}': ${detail}; use "host:port", e.g. "10.0.0.5:7000" or "[::1]:7000"`);
  }
}

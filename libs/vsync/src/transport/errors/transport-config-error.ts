/**
 * A transport option is missing or out of range. Raised at construction, before any socket is opened, so a
 * misconfigured process fails at start-up instead of misbehaving under load.
 */
export class TransportConfigError extends Error {
  override readonly name = 'TransportConfigError';

  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`invalid transport option '${option}': ${detail}`);
  }
}

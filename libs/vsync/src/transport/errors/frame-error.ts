/** Why an incoming byte stream was rejected; each kind has its own counter in TransportStats. */
export type FrameErrorKind =
  | 'badMagic'
  | 'wrongVersion'
  | 'oversize'
  | 'malformed'
  | 'unexpectedHello'
  | 'missingHello'
  /** A well-framed message that the layer above could not decode (the message handler refused it). */
  | 'undecodableMessage';

/**
 * The bytes on a connection are not a valid vsync frame stream. The transport counts it, closes the
 * connection and keeps running; the peer has to reconnect with a compatible build.
 */
export class FrameError extends Error {
  override readonly name = 'FrameError';

  constructor(
    readonly kind: FrameErrorKind,
    detail: string,
  ) {
    super(
      `rejected frame (${kind}): ${detail}; the connection is closed, check that the peer runs a compatible vsync version`,
    );
  }
}

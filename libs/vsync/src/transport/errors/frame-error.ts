/** Why an incoming byte stream was rejected; each kind has its own counter in TransportStats. */
export type FrameErrorKind =
  | 'badMagic'
  | 'wrongVersion'
  | 'oversize'
  | 'malformed'
  | 'unexpectedHello'
  | 'missingHello'
  /** A well-framed message that the layer above could not decode (the message handler refused it). */
  | 'undecodableMessage'
  /** A message naming a sender other than the peer this connection was bound to at its hello. */
  | 'wrongSender'
  /** A handshake frame out of its place (a challenge to an acceptor, a proof before a challenge, ...). */
  | 'unexpectedHandshake'
  /** One side is configured with a key and the other is not. */
  | 'keyMismatch'
  /** A handshake MAC or a sealed frame that does not authenticate: a wrong key, a replay or tampering. */
  | 'authFailed'
  /** Unsealed data on a keyed connection. */
  | 'unsealed'
  /** The connection's incomplete frame would push the bytes of incomplete frames over maxBufferedFrameBytesTotal. */
  | 'overBudget';

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

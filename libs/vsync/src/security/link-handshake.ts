import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { KEY_BYTES } from './secret';

/**
 * The mutual challenge-response that opens a keyed connection (both sides must hold the link key):
 *
 *   dialer   -> hello(Nd, dialer address)
 *   acceptor -> challenge(Na, MAC(k, "acceptor" | Nd | Na | address))   the acceptor proves it holds k
 *   dialer   -> proof(MAC(k, "dialer" | Nd | Na | address))             the dialer proves it holds k
 *
 * Nd and Na are fresh random nonces, so an answer recorded on one connection is worthless on another. Each direction
 * then seals its frames with a key and nonce salt of its own, derived from k and both nonces: the keys of every
 * connection are fresh even though the secret is not.
 */
export const HANDSHAKE_NONCE_BYTES = 16;
export const HANDSHAKE_MAC_BYTES = 32;
/** Bytes of the nonce salt each direction derives; the rest of the 12-byte GCM nonce is its frame counter. */
export const NONCE_SALT_BYTES = 4;

export type HandshakeRole = 'acceptor' | 'dialer';

export interface DirectionKey {
  readonly key: Buffer;
  readonly salt: Buffer;
}

export interface SessionKeys {
  readonly dialerToAcceptor: DirectionKey;
  readonly acceptorToDialer: DirectionKey;
}

export function handshakeNonce(): Buffer {
  return randomBytes(HANDSHAKE_NONCE_BYTES);
}

/** What `role` sends to prove it holds the key, bound to both nonces and the dialer's claimed address. */
export function handshakeMac(
  key: Buffer,
  role: HandshakeRole,
  dialerNonce: Uint8Array,
  acceptorNonce: Uint8Array,
  dialerAddress: string,
): Buffer {
  return createHmac('sha256', key)
    .update(`vsync ${role}\0`)
    .update(dialerNonce)
    .update(acceptorNonce)
    .update(dialerAddress)
    .digest();
}

/** Compares a received MAC in constant time. */
export function macMatches(expected: Buffer, received: Uint8Array): boolean {
  return received.length === expected.length && timingSafeEqual(expected, received);
}

export function sessionKeys(key: Buffer, dialerNonce: Uint8Array, acceptorNonce: Uint8Array): SessionKeys {
  const salt = Buffer.concat([dialerNonce, acceptorNonce]);
  const direction = (info: string): DirectionKey => {
    const bytes = Buffer.from(hkdfSync('sha256', key, salt, info, KEY_BYTES + NONCE_SALT_BYTES));
    return { key: bytes.subarray(0, KEY_BYTES), salt: bytes.subarray(KEY_BYTES) };
  };
  return {
    dialerToAcceptor: direction('vsync dialer->acceptor'),
    acceptorToDialer: direction('vsync acceptor->dialer'),
  };
}

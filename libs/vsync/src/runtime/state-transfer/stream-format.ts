import { createHmac, randomBytes } from 'node:crypto';
import { deriveKey, macMatches, type VsyncSecret } from '../../security';

/**
 * The out-of-band state stream, on a TCP connection of its own that the sender dials to the joiner's endpoint:
 *
 *   joiner -> sender   challenge: magic "VSST", version, 16-byte nonce
 *   sender -> joiner   offer: magic, version, group, view id, total bytes, SHA-256 of the checkpoint, 16-byte nonce,
 *                      MAC over all of it and the joiner's nonce
 *   joiner -> sender   resume: the byte offset to start from (REFUSE_OFFSET = not this checkpoint), MAC over it and the
 *                      sender's nonce
 *   sender -> joiner   the checkpoint's bytes from that offset to the end, raw
 *
 * Without a group secret the MACs are zeros and prove nothing; with one, each side proves it holds the group's
 * state-transfer key before a byte of state moves, the nonces keep a recorded handshake from being replayed, and the
 * authenticated digest checks every byte of the content at the end.
 */
export const STREAM_MAGIC = 0x56535354; // "VSST"
export const STREAM_VERSION = 1;
export const NONCE_BYTES = 16;
export const MAC_BYTES = 32;
export const DIGEST_BYTES = 32;
export const CHALLENGE_BYTES = 4 + 1 + NONCE_BYTES;
export const RESUME_BYTES = 8 + MAC_BYTES;
/** A group name in an offer is at most this long (the library's own bound on group names). */
export const MAX_OFFER_GROUP_BYTES = 1024;
/** The resume offset a joiner answers with when the offer is not the checkpoint it waits for. */
export const REFUSE_OFFSET = 2 ** 53 - 1;

export interface Offer {
  readonly group: string;
  readonly viewId: number;
  readonly totalBytes: number;
  readonly digest: Uint8Array;
  readonly nonce: Uint8Array;
}

/** The state-transfer key of a group, or null when the group has no secret. */
export function streamKey(secret: VsyncSecret | undefined, group: string): Buffer | null {
  return secret === undefined ? null : deriveKey(secret, `state-transfer ${group}`);
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

function mac(key: Buffer | null, ...parts: Uint8Array[]): Buffer {
  if (key === null) return Buffer.alloc(MAC_BYTES);
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

export function encodeChallenge(nonce: Uint8Array): Buffer {
  const out = Buffer.alloc(CHALLENGE_BYTES);
  out.writeUInt32BE(STREAM_MAGIC, 0);
  out.writeUInt8(STREAM_VERSION, 4);
  out.set(nonce, 5);
  return out;
}

/** The joiner's nonce, or a reason the bytes are not a challenge. */
export function decodeChallenge(bytes: Buffer): Buffer | string {
  if (bytes.readUInt32BE(0) !== STREAM_MAGIC) return 'not a state stream (bad magic)';
  if (bytes.readUInt8(4) !== STREAM_VERSION)
    return `state stream version ${bytes.readUInt8(4)} is not supported`;
  return bytes.subarray(5, 5 + NONCE_BYTES);
}

function offerBody(offer: Offer): Buffer {
  const group = Buffer.from(offer.group, 'utf8');
  const body = Buffer.alloc(4 + 1 + 2 + group.length + 8 + 8 + DIGEST_BYTES + NONCE_BYTES);
  let at = body.writeUInt32BE(STREAM_MAGIC, 0);
  at = body.writeUInt8(STREAM_VERSION, at);
  at = body.writeUInt16BE(group.length, at);
  at += group.copy(body, at);
  at = body.writeDoubleBE(offer.viewId, at);
  at = body.writeDoubleBE(offer.totalBytes, at);
  body.set(offer.digest, at);
  body.set(offer.nonce, at + DIGEST_BYTES);
  return body;
}

/** The offer as sent: its length (u32) first, so the reader knows how much to wait for. */
export function encodeOffer(offer: Offer, key: Buffer | null, joinerNonce: Uint8Array): Buffer {
  const body = offerBody(offer);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length + MAC_BYTES);
  return Buffer.concat([length, body, mac(key, Buffer.from('offer'), body, joinerNonce)]);
}

/** Decodes an offer (without its length prefix) and checks its MAC; returns a reason when it is not acceptable. */
export function decodeOffer(bytes: Buffer, key: Buffer | null, joinerNonce: Uint8Array): Offer | string {
  if (bytes.length < 7 + MAC_BYTES) return 'offer too short';
  if (bytes.readUInt32BE(0) !== STREAM_MAGIC) return 'not a state stream (bad magic)';
  if (bytes.readUInt8(4) !== STREAM_VERSION)
    return `state stream version ${bytes.readUInt8(4)} is not supported`;
  const groupBytes = bytes.readUInt16BE(5);
  const expected = 7 + groupBytes + 16 + DIGEST_BYTES + NONCE_BYTES + MAC_BYTES;
  if (bytes.length !== expected) return `offer of ${bytes.length} bytes, expected ${expected}`;
  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  if (
    key !== null &&
    !macMatches(mac(key, Buffer.from('offer'), body, joinerNonce), bytes.subarray(body.length))
  )
    return 'the offer is not authenticated with this group key';
  let at = 7 + groupBytes;
  const group = bytes.toString('utf8', 7, at);
  const viewId = bytes.readDoubleBE(at);
  const totalBytes = bytes.readDoubleBE(at + 8);
  at += 16;
  if (!Number.isSafeInteger(viewId) || !Number.isSafeInteger(totalBytes) || totalBytes < 0)
    return 'offer names a bad view id or size';
  const digest = bytes.subarray(at, at + DIGEST_BYTES);
  return {
    group,
    viewId,
    totalBytes,
    digest,
    nonce: bytes.subarray(at + DIGEST_BYTES, at + DIGEST_BYTES + NONCE_BYTES),
  };
}

export function encodeResume(offset: number, key: Buffer | null, senderNonce: Uint8Array): Buffer {
  const out = Buffer.alloc(RESUME_BYTES);
  out.writeDoubleBE(offset, 0);
  out.set(mac(key, Buffer.from('resume'), out.subarray(0, 8), senderNonce), 8);
  return out;
}

/** The offset to stream from, or a reason the answer is not acceptable. */
export function decodeResume(bytes: Buffer, key: Buffer | null, senderNonce: Uint8Array): number | string {
  const offset = bytes.readDoubleBE(0);
  const expected = mac(key, Buffer.from('resume'), bytes.subarray(0, 8), senderNonce);
  if (key !== null && !macMatches(expected, bytes.subarray(8, RESUME_BYTES)))
    return 'the joiner is not authenticated with this group key';
  if (!Number.isSafeInteger(offset) || offset < 0) return 'bad resume offset';
  return offset;
}

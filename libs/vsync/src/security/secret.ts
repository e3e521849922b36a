import { hkdfSync } from 'node:crypto';

/** Shortest secret accepted: 32 bytes, the strength of the AES-256 keys derived from it. */
export const MIN_SECRET_BYTES = 32;
/** Longest secret accepted; anything longer is a file read by mistake, not a key. */
export const MAX_SECRET_BYTES = 4096;
/** Length of every derived key (AES-256 and HMAC-SHA256). */
export const KEY_BYTES = 32;

/** Fixed HKDF salt: it separates these keys from any other use of the same secret. */
const HKDF_SALT = Buffer.from('gridcloud-vsync/v1', 'utf8');

/** A secret shared by every process of one system: given as bytes, or as text (e.g. the base64 of 32 random bytes). */
export type VsyncSecret = string | Uint8Array;

/** Why a secret was refused; the caller turns it into its own typed option error. */
export function secretProblem(secret: unknown): string | undefined {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array))
    return 'must be a string or a Uint8Array';
  const bytes = secretBytes(secret).length;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES)
    return `is ${bytes} bytes; use ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes (e.g. 32 random bytes, base64)`;
  return undefined;
}

function secretBytes(secret: VsyncSecret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret.trim(), 'utf8') : Buffer.from(secret);
}

/** A key for one purpose, derived from the system secret with HKDF-SHA256: the link layer and every group get
 *  their own, so a key learnt from one use says nothing about another. */
export function deriveKey(secret: VsyncSecret, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretBytes(secret), HKDF_SALT, `vsync ${purpose}`, KEY_BYTES));
}

/** The key that authenticates handshakes and seeds the session keys of every transport connection. */
export function linkKey(secret: VsyncSecret): Buffer {
  return deriveKey(secret, 'link');
}

/** The key of one group's payloads. */
export function groupKey(secret: VsyncSecret, group: string): Buffer {
  return deriveKey(secret, `group ${group}`);
}

import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { DirectionKey } from './link-handshake';
import { NONCE_SALT_BYTES } from './link-handshake';

export const GCM_TAG_BYTES = 16;
const GCM_NONCE_BYTES = 12;
/** A direction seals at most this many frames; then the connection must be reopened (fresh keys). 2^48 frames is
 *  far beyond any connection's life, and keeps the counter exact in a double. */
export const MAX_SEALED_FRAMES = 2 ** 48;

/** The 12-byte GCM nonce of frame `counter`: the direction's salt, then the counter. Each direction has its own key
 *  and counts from 0 up, so no nonce is ever used twice with one key. */
function nonce(salt: Buffer, counter: number): Buffer {
  const bytes = Buffer.alloc(GCM_NONCE_BYTES);
  salt.copy(bytes, 0, 0, NONCE_SALT_BYTES);
  bytes.writeUIntBE(counter, NONCE_SALT_BYTES + 2, 6);
  return bytes;
}

/** Seals the frames one direction of a connection sends: AES-256-GCM over the body, the header as associated data. */
export class FrameSealer {
  private counter = 0;

  constructor(private readonly direction: DirectionKey) {}

  /** Returns the ciphertext chunks followed by the tag; `header` must already carry the sealed body length. */
  seal(header: Buffer, body: readonly Uint8Array[]): Buffer[] {
    if (this.counter >= MAX_SEALED_FRAMES) throw new RangeError('sealed frame counter exhausted');
    const cipher = createCipheriv(
      'aes-256-gcm',
      this.direction.key,
      nonce(this.direction.salt, this.counter++),
    );
    cipher.setAAD(header);
    const chunks = body.map((chunk) => cipher.update(chunk));
    chunks.push(cipher.final(), cipher.getAuthTag());
    return chunks;
  }
}

/** Opens the frames one direction receives. The expected counter is implicit: a replayed, reordered, dropped or
 *  altered frame fails authentication, and the connection is closed. */
export class FrameOpener {
  private counter = 0;

  constructor(private readonly direction: DirectionKey) {}

  /** The plaintext body, or undefined if the frame is not authentic. */
  open(header: Buffer, sealed: Buffer): Buffer | undefined {
    if (sealed.length < GCM_TAG_BYTES || this.counter >= MAX_SEALED_FRAMES) return undefined;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.direction.key,
      nonce(this.direction.salt, this.counter),
    );
    decipher.setAAD(header);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    const plain = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES));
    try {
      const rest = decipher.final();
      this.counter += 1;
      return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
    } catch {
      return undefined;
    }
  }
}

import { FrameError } from './errors/frame-error';
import {
  FLAG_CHALLENGE,
  FLAG_DIALBACK,
  FLAG_ECHO,
  FLAG_HELLO,
  FLAG_PROOF,
  FLAG_SEALED,
  FLAG_WELCOME,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  KNOWN_FLAGS,
  HELLO_KEYED,
  HELLO_OPEN,
  MAX_HELLO_ADDRESS_BYTES,
  MESSAGE_PREFIX_BYTES,
} from './frame-format';
import { HANDSHAKE_MAC_BYTES, HANDSHAKE_NONCE_BYTES } from '../security';

/** One decoded frame: a handshake frame, a batch of messages, or a sealed batch still to be opened. A keyed hello
 *  carries the dialer's nonce; an open one has none. */
export type Frame =
  | { readonly kind: 'hello'; readonly address: string; readonly nonce?: Buffer }
  | { readonly kind: 'challenge'; readonly nonce: Buffer; readonly mac: Buffer }
  | { readonly kind: 'proof'; readonly mac: Buffer }
  | { readonly kind: 'dialback'; readonly nonce: Buffer }
  | { readonly kind: 'echo'; readonly nonce: Buffer }
  | { readonly kind: 'welcome' }
  | { readonly kind: 'sealed'; readonly header: Buffer; readonly body: Buffer }
  | { readonly kind: 'data'; readonly messages: Uint8Array[] };

/**
 * Turns a TCP byte stream into frames. It checks magic, version and length as soon as those bytes arrive, so a
 * garbage or oversized stream is rejected before it is buffered, and it never holds more than one frame.
 *
 * The chunks of a frame that is still incomplete are kept as they came and joined once, when the frame is whole:
 * joining on every chunk would copy a large frame over and over (quadratic in its number of chunks).
 */
export class FrameDecoder {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Length of the incomplete frame once its header has arrived, else 0. */
  private frameBytes = 0;
  private stoppedAtHandshake = false;

  constructor(private maxFrameBytes: number) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes <= FRAME_HEADER_BYTES)
      throw new RangeError(`maxFrameBytes ${maxFrameBytes} too small`);
  }

  /** Whether decoding stopped after a handshake frame: the bytes after it are judged by the bound the handshake
   *  sets, so the connection acts on the handshake frame and then calls resume(). */
  get paused(): boolean {
    return this.stoppedAtHandshake;
  }

  /** Goes on decoding the bytes held after a handshake frame. */
  resume(): Frame[] {
    this.stoppedAtHandshake = false;
    if (this.parts.length === 0) return [];
    const joined = this.joined(this.partsBytes);
    this.parts = [];
    this.partsBytes = 0;
    this.frameBytes = 0;
    return this.parse(joined);
  }

  /** Bytes of an incomplete frame held right now. */
  get bufferedBytes(): number {
    return this.partsBytes;
  }

  /** Changes the frame bound from the next frame on (a connection accepts large frames only once identified). */
  limitFrames(maxFrameBytes: number): void {
    assertFrameBound(maxFrameBytes);
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Feeds the next chunk; returns the frames it completes or throws FrameError on the first bad byte. Decoding
   *  stops after a handshake frame (see resume). */
  push(chunk: Buffer): Frame[] {
    if (this.parts.length === 0 && !this.paused) return this.parse(chunk);
    this.append(chunk);
    if (this.paused) return [];
    if (this.frameBytes === 0) {
      // The header is checked as its bytes arrive; until it is whole there are at most a header's worth of parts.
      const head = Buffer.concat(this.parts, Math.min(this.partsBytes, FRAME_HEADER_BYTES));
      checkHeaderPrefix(head, 0, head.length, this.maxFrameBytes);
      if (head.length < FRAME_HEADER_BYTES) return [];
      this.frameBytes = FRAME_HEADER_BYTES + head.readUInt32BE(4);
    }
    if (this.partsBytes < this.frameBytes) return [];
    // Only the frame that spans chunks is joined (copied); what follows it in this chunk is decoded where it lies.
    const rest = this.partsBytes - this.frameBytes;
    const joined = this.joined(this.frameBytes);
    this.parts = [];
    this.partsBytes = 0;
    this.frameBytes = 0;
    const frames = this.parse(joined);
    if (rest === 0) return frames;
    const tail = chunk.subarray(chunk.length - rest);
    if (this.paused) this.hold(tail);
    else for (const frame of this.parse(tail)) frames.push(frame);
    return frames;
  }

  /** Keeps a chunk of the incomplete frame. A chunk that continues the last one in memory (reads into one slab, see
   *  ReadSlab) extends it instead: the frame is then whole where it lies, and joining it copies nothing. */
  private append(chunk: Buffer): void {
    const last = this.parts.length === 0 ? undefined : this.parts[this.parts.length - 1];
    if (
      last !== undefined &&
      last.buffer === chunk.buffer &&
      last.byteOffset + last.length === chunk.byteOffset
    )
      this.parts[this.parts.length - 1] = Buffer.from(
        last.buffer,
        last.byteOffset,
        last.length + chunk.length,
      );
    else this.parts.push(chunk);
    this.partsBytes += chunk.length;
  }

  /** The first `bytes` bytes held, as one buffer: a view when they lie in one part, else joined (a copy). */
  private joined(bytes: number): Buffer {
    return this.parts.length === 1 ? this.parts[0].subarray(0, bytes) : Buffer.concat(this.parts, bytes);
  }

  private hold(bytes: Buffer): void {
    this.parts = [bytes];
    this.partsBytes = bytes.length;
  }

  /** Decodes the whole frames of `bytes` and keeps the incomplete rest for the next chunk. */
  private parse(bytes: Buffer): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    for (;;) {
      const available = bytes.length - offset;
      checkHeaderPrefix(bytes, offset, available, this.maxFrameBytes);
      if (available < FRAME_HEADER_BYTES) break;
      const frameBytes = FRAME_HEADER_BYTES + bytes.readUInt32BE(offset + 4);
      if (available < frameBytes) break;
      const flags = bytes.readUInt8(offset + 3);
      const header = bytes.subarray(offset, offset + FRAME_HEADER_BYTES);
      frames.push(
        decodeBody(flags, header, bytes.subarray(offset + FRAME_HEADER_BYTES, offset + frameBytes)),
      );
      offset += frameBytes;
      if (flags !== 0 && flags !== FLAG_SEALED) {
        this.stoppedAtHandshake = true;
        break;
      }
    }
    if (offset < bytes.length) this.hold(bytes.subarray(offset));
    return frames;
  }
}

/** Validates whatever part of the header at `offset` has arrived. */
function checkHeaderPrefix(bytes: Buffer, offset: number, available: number, maxFrameBytes: number): void {
  if (available >= 1 && bytes[offset] !== FRAME_MAGIC >> 8) throw badMagic(bytes, offset, available);
  if (available >= 2 && bytes.readUInt16BE(offset) !== FRAME_MAGIC) throw badMagic(bytes, offset, available);
  if (available >= 3 && bytes[offset + 2] !== FRAME_VERSION) {
    throw new FrameError(
      'wrongVersion',
      `peer speaks frame version ${bytes[offset + 2]}, this process speaks ${FRAME_VERSION}`,
    );
  }
  if (available >= 4 && (bytes[offset + 3] & ~KNOWN_FLAGS) !== 0) {
    throw new FrameError('malformed', `unknown flag bits 0x${bytes[offset + 3].toString(16)}`);
  }
  if (available >= FRAME_HEADER_BYTES) {
    const frameBytes = FRAME_HEADER_BYTES + bytes.readUInt32BE(offset + 4);
    if (frameBytes > maxFrameBytes)
      throw new FrameError('oversize', `frame of ${frameBytes} bytes exceeds maxFrameBytes ${maxFrameBytes}`);
  }
}

function badMagic(bytes: Buffer, offset: number, available: number): FrameError {
  const head = bytes.subarray(offset, offset + Math.min(available, 2)).toString('hex');
  return new FrameError('badMagic', `stream starts with 0x${head}, expected 0x${FRAME_MAGIC.toString(16)}`);
}

function assertFrameBound(maxFrameBytes: number): void {
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes <= FRAME_HEADER_BYTES)
    throw new RangeError(`maxFrameBytes ${maxFrameBytes} too small`);
}

function decodeBody(flags: number, header: Buffer, body: Buffer): Frame {
  switch (flags) {
    case 0:
      return { kind: 'data', messages: splitBatch(body) };
    case FLAG_HELLO:
      return decodeHello(body);
    case FLAG_CHALLENGE:
      if (body.length !== HANDSHAKE_NONCE_BYTES + HANDSHAKE_MAC_BYTES)
        throw new FrameError('malformed', `challenge of ${body.length} bytes`);
      return {
        kind: 'challenge',
        nonce: body.subarray(0, HANDSHAKE_NONCE_BYTES),
        mac: body.subarray(HANDSHAKE_NONCE_BYTES),
      };
    case FLAG_PROOF:
      if (body.length !== HANDSHAKE_MAC_BYTES)
        throw new FrameError('malformed', `proof of ${body.length} bytes`);
      return { kind: 'proof', mac: body };
    case FLAG_SEALED:
      return { kind: 'sealed', header, body };
    case FLAG_DIALBACK:
      return { kind: 'dialback', nonce: dialBackNonce(body) };
    case FLAG_ECHO:
      return { kind: 'echo', nonce: dialBackNonce(body) };
    case FLAG_WELCOME:
      if (body.length !== 0) throw new FrameError('malformed', `welcome of ${body.length} bytes`);
      return { kind: 'welcome' };
    default:
      throw new FrameError('malformed', `flags 0x${flags.toString(16)} combine several frame kinds`);
  }
}

/** A dial-back or echo body, copied: the connection keeps it past the chunk it came in. */
function dialBackNonce(body: Buffer): Buffer {
  if (body.length !== HANDSHAKE_NONCE_BYTES)
    throw new FrameError('malformed', `dial-back nonce of ${body.length} bytes`);
  return Buffer.from(body);
}

function decodeHello(body: Buffer): Frame {
  const mode = body[0];
  if (mode !== HELLO_OPEN && mode !== HELLO_KEYED) throw new FrameError('malformed', `hello mode ${mode}`);
  const nonceBytes = mode === HELLO_KEYED ? HANDSHAKE_NONCE_BYTES : 0;
  const address = body.subarray(1 + nonceBytes);
  if (address.length === 0 || address.length > MAX_HELLO_ADDRESS_BYTES)
    throw new FrameError('malformed', `hello address of ${address.length} bytes`);
  const text = address.toString('utf8');
  if (mode === HELLO_OPEN) return { kind: 'hello', address: text };
  return { kind: 'hello', address: text, nonce: body.subarray(1, 1 + nonceBytes) };
}

/** Splits a data body (received as is, or opened from a sealed frame) into its messages. */
export function splitBatch(body: Buffer): Uint8Array[] {
  if (body.length === 0) throw new FrameError('malformed', 'empty data frame');
  const messages: Uint8Array[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (body.length - offset < MESSAGE_PREFIX_BYTES)
      throw new FrameError('malformed', 'truncated message length in batch');
    const length = body.readUInt32BE(offset);
    const start = offset + MESSAGE_PREFIX_BYTES;
    if (length > body.length - start)
      throw new FrameError('malformed', `message of ${length} bytes overruns its frame`);
    messages.push(body.subarray(start, start + length));
    offset = start + length;
  }
  return messages;
}

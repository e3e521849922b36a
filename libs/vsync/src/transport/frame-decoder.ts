import { FrameError } from './errors/frame-error';
import {
  FLAG_HELLO,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  KNOWN_FLAGS,
  MAX_HELLO_ADDRESS_BYTES,
  MESSAGE_PREFIX_BYTES,
} from './frame-format';

/** One decoded frame: either the peer's hello or a batch of messages. */
export type Frame =
  | { readonly kind: 'hello'; readonly address: string }
  | { readonly kind: 'data'; readonly messages: Uint8Array[] };

/**
 * Turns a TCP byte stream into frames. It checks magic, version and length as soon as those bytes arrive, so a
 * garbage or oversized stream is rejected before it is buffered, and it never holds more than one frame.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes: number) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes <= FRAME_HEADER_BYTES)
      throw new RangeError(`maxFrameBytes ${maxFrameBytes} too small`);
  }

  /** Feeds the next chunk; returns the frames it completes or throws FrameError on the first bad byte. */
  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    let offset = 0;
    for (;;) {
      const available = this.pending.length - offset;
      this.checkHeaderPrefix(offset, available);
      if (available < FRAME_HEADER_BYTES) break;
      const frameBytes = FRAME_HEADER_BYTES + this.pending.readUInt32BE(offset + 4);
      if (available < frameBytes) break;
      const flags = this.pending.readUInt8(offset + 3);
      frames.push(decodeBody(flags, this.pending.subarray(offset + FRAME_HEADER_BYTES, offset + frameBytes)));
      offset += frameBytes;
    }
    // Copy the partial tail so the chunk it came from (often 64 KiB) is not kept alive by a few bytes.
    this.pending = offset === 0 ? this.pending : Buffer.from(this.pending.subarray(offset));
    return frames;
  }

  /** Validates whatever part of the header at `offset` has arrived. */
  private checkHeaderPrefix(offset: number, available: number): void {
    const bytes = this.pending;
    if (available >= 1 && bytes[offset] !== FRAME_MAGIC >> 8) throw badMagic(bytes, offset, available);
    if (available >= 2 && bytes.readUInt16BE(offset) !== FRAME_MAGIC)
      throw badMagic(bytes, offset, available);
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
      if (frameBytes > this.maxFrameBytes)
        throw new FrameError(
          'oversize',
          `frame of ${frameBytes} bytes exceeds maxFrameBytes ${this.maxFrameBytes}`,
        );
    }
  }
}

function badMagic(bytes: Buffer, offset: number, available: number): FrameError {
  const head = bytes.subarray(offset, offset + Math.min(available, 2)).toString('hex');
  return new FrameError('badMagic', `stream starts with 0x${head}, expected 0x${FRAME_MAGIC.toString(16)}`);
}

function decodeBody(flags: number, body: Buffer): Frame {
  if ((flags & FLAG_HELLO) !== 0) {
    if (body.length === 0 || body.length > MAX_HELLO_ADDRESS_BYTES)
      throw new FrameError('malformed', `hello address of ${body.length} bytes`);
    return { kind: 'hello', address: body.toString('utf8') };
  }
  return { kind: 'data', messages: splitBatch(body) };
}

function splitBatch(body: Buffer): Uint8Array[] {
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

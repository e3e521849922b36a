import { DecodeError } from '../errors/decode-error';
import { copyBytes } from './byte-slab';

/** Bounds-checked reader; every malformed input ends in DecodeError and nothing else. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  byte(): number {
    if (this.offset >= this.buf.length) throw new DecodeError(`message truncated at byte ${this.offset}`);
    return this.buf[this.offset++];
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (!Number.isSafeInteger(result)) throw new DecodeError(`integer at byte ${this.offset} is too large`);
      if ((b & 0x80) === 0) return result;
      scale *= 0x80;
    }
    throw new DecodeError(`integer at byte ${this.offset} is longer than 8 bytes`);
  }

  /** Short ASCII strings are decoded by hand; anything else goes through the strict UTF-8 decoder. */
  string(decodeUtf8: (bytes: Uint8Array) => string): string {
    const length = this.uint();
    if (length > this.remaining) throw new DecodeError(`field of ${length} bytes overruns the message`);
    const start = this.offset;
    let ascii = length <= 64;
    for (let i = 0; ascii && i < length; i++) ascii = this.buf[start + i] < 0x80;
    this.offset += length;
    if (!ascii) return decodeUtf8(this.buf.subarray(start, start + length));
    let out = '';
    for (let i = 0; i < length; i++) out += String.fromCharCode(this.buf[start + i]);
    return out;
  }

  /** The next length-prefixed bytes as a view into the input, without copying: for data payloads, which the
   *  protocol only reads and forwards, and which share their frame with the rest of their pack. */
  bytesView(): Uint8Array {
    const length = this.uint();
    if (length > this.remaining) throw new DecodeError(`field of ${length} bytes overruns the message`);
    // A plain Uint8Array over the same memory: Buffer#subarray (the input is usually a Buffer) goes through species
    // lookup and Buffer's own constructor, which cost more than the view itself on a path taken once per record.
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.offset, length);
    this.offset += length;
    return out;
  }

  bytes(): Uint8Array {
    const length = this.uint();
    if (length > this.remaining) throw new DecodeError(`field of ${length} bytes overruns the message`);
    // A private copy: the message may be kept (and forwarded) long after the frame it came in is gone.
    const out = copyBytes(this.buf.subarray(this.offset, this.offset + length));
    this.offset += length;
    return out;
  }
}

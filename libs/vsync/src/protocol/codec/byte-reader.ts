import { DecodeError } from '../errors/decode-error';
import { copyBytes } from './byte-slab';

/** Bounds-checked reader; every malformed input ends in DecodeError and nothing else. */
export class ByteReader {
  private offset = 0;
  /** The input's memory, looked up once per message: TypedArray#buffer is a call into the runtime, and bytesView
   *  needs it for every record of a pack. */
  private arrayBuffer: ArrayBufferLike | undefined;

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

  /** Short ASCII strings are decoded by hand, and the same bytes give the same string object again (see
   *  internedAscii); anything else goes through the strict UTF-8 decoder. */
  string(decodeUtf8: (bytes: Uint8Array) => string): string {
    const length = this.uint();
    if (length > this.remaining) throw new DecodeError(`field of ${length} bytes overruns the message`);
    const start = this.offset;
    this.offset += length;
    if (length > MAX_INTERNED_CHARS) return decodeUtf8(this.buf.subarray(start, start + length));
    let hash = FNV_OFFSET;
    for (let i = 0; i < length; i++) {
      const b = this.buf[start + i];
      if (b >= 0x80) return decodeUtf8(this.buf.subarray(start, start + length));
      hash = Math.imul(hash ^ b, FNV_PRIME);
    }
    return internedAscii(this.buf, start, length, hash);
  }

  /** The next length-prefixed bytes as a view into the input, without copying: for data payloads, which the
   *  protocol only reads and forwards, and which share their frame with the rest of their pack. */
  bytesView(): Uint8Array {
    const length = this.uint();
    if (length > this.remaining) throw new DecodeError(`field of ${length} bytes overruns the message`);
    // A plain Uint8Array over the same memory: Buffer#subarray (the input is usually a Buffer) goes through species
    // lookup and Buffer's own constructor, which cost more than the view itself on a path taken once per record.
    this.arrayBuffer ??= this.buf.buffer;
    const out = new Uint8Array(this.arrayBuffer, this.buf.byteOffset + this.offset, length);
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

/** Longest ASCII string kept in the intern table; longer ones are decoded afresh each time. */
const MAX_INTERNED_CHARS = 64;
/** Slots of the intern table (a power of two): direct-mapped, a new string simply replaces the slot's last one. */
const INTERNED_SLOTS = 256;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const interned: string[] = new Array<string>(INTERNED_SLOTS).fill('');

/**
 * The ASCII string of `length` bytes at `start`, from the intern table when its slot holds exactly these bytes.
 * Every message names its sender's address and a data message its group: the same few strings, which built anew per
 * message cost a string concatenation per character, a young-generation object each, and a full comparison (and a
 * hash) wherever they are compared or looked up, instead of a pointer test.
 */
function internedAscii(buf: Uint8Array, start: number, length: number, hash: number): string {
  const slot = (hash >>> 0) & (INTERNED_SLOTS - 1);
  const known = interned[slot];
  if (known.length === length) {
    let same = true;
    for (let i = 0; same && i < length; i++) same = known.charCodeAt(i) === buf[start + i];
    if (same) return known;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(buf[start + i]);
  interned[slot] = out;
  return out;
}

import { InvariantError } from '../errors/invariant-error';
import { allocateEncoded, shrinkEncoded } from './byte-slab';

const INITIAL_BYTES = 4096;
const textEncoder = new TextEncoder();

/** One scratch buffer reused by every encode (the core is single-threaded): finish() copies the result out, so
 *  encoding a small message allocates only the bytes it returns. */
let scratch = new Uint8Array(INITIAL_BYTES);

/** Append-only growable buffer with varint integers (LEB128, up to 2^53 - 1). */
export class ByteWriter {
  private buf: Uint8Array;
  private length = 0;
  /** Whether `buf` is the result itself (direct), not the shared scratch copied out by finish(). */
  private readonly direct: boolean;

  /** With `maxBytes`, it writes straight into an encoded array of that size, which it must not outgrow: a large
   *  message then costs no copy out of the scratch buffer. */
  constructor(maxBytes?: number) {
    this.direct = maxBytes !== undefined;
    this.buf = maxBytes === undefined ? scratch : allocateEncoded(maxBytes);
  }

  uint(value: number): void {
    // Checked without assert(): its message would be built on every call, and this is the hottest path of encoding.
    if (!(Number.isSafeInteger(value) && value >= 0))
      throw new InvariantError(`cannot encode ${value} as an unsigned integer`);
    let v = value;
    this.reserve(8);
    // Below 2^31 (counts, sequence numbers, lengths: nearly every value) shifts do it without float division.
    if (v < 0x8000_0000) {
      while (v >= 0x80) {
        this.buf[this.length++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.length++] = v;
      return;
    }
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buf[this.length++] = value;
  }

  bytes(value: Uint8Array): void {
    this.uint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.length);
    this.length += value.length;
  }

  /** Length-prefixed UTF-8; plain ASCII (addresses, group names) is written directly, without a TextEncoder call. */
  string(value: string): void {
    const n = value.length;
    let ascii = n < 128;
    for (let i = 0; ascii && i < n; i++) ascii = value.charCodeAt(i) < 0x80;
    if (!ascii) return this.bytes(textEncoder.encode(value));
    this.reserve(n + 1);
    this.buf[this.length++] = n;
    for (let i = 0; i < n; i++) this.buf[this.length++] = value.charCodeAt(i);
  }

  finish(): Uint8Array {
    if (this.direct) return shrinkEncoded(this.buf, this.length);
    const out = allocateEncoded(this.length);
    out.set(this.buf.subarray(0, this.length));
    return out;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    if (this.direct)
      throw new InvariantError(`a message sized for ${this.buf.length} bytes needs ${this.length + extra}`);
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    scratch = next;
  }
}

import { assert } from '../errors/invariant-error';

const INITIAL_BYTES = 256;

/** Append-only growable buffer with varint integers (LEB128, up to 2^53 - 1). */
export class ByteWriter {
  private buf = new Uint8Array(INITIAL_BYTES);
  private length = 0;

  uint(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0, `cannot encode ${value} as an unsigned integer`);
    let v = value;
    this.reserve(8);
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

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

import { FrameEncodeError } from '../errors/frame-encode-error';
import { MAX_FRAME_BYTES } from './frame-types';

/**
 * Big-endian writer that grows up to the 65,535-byte FRAMESIZE limit and
 * range-checks every field, so an encoder never emits a silently wrapped value.
 */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  /** `limitBytes`: a frame's FRAMESIZE limit by default; a CFG-3 series' content may be longer. */
  constructor(private readonly limitBytes: number = MAX_FRAME_BYTES) {}

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): number {
    const at = this.pos;
    if (at + n > this.limitBytes) {
      throw new FrameEncodeError(
        this.limitBytes === MAX_FRAME_BYTES
          ? `frame would exceed ${MAX_FRAME_BYTES} bytes (the FRAMESIZE limit); send fewer channels or PMUs per frame`
          : `content would exceed ${this.limitBytes} bytes`,
      );
    }
    if (at + n > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.limitBytes, Math.max(this.buf.length * 2, at + n)));
      grown.set(this.buf);
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.pos = at + n;
    return at;
  }

  u8(value: number, what: string): void {
    checkInt(value, 0, 0xff, what);
    const at = this.reserve(1);
    this.buf[at] = value;
  }

  u16(value: number, what: string): void {
    checkInt(value, 0, 0xffff, what);
    const at = this.reserve(2);
    this.view.setUint16(at, value);
  }

  i16(value: number, what: string): void {
    checkInt(value, -0x8000, 0x7fff, what);
    const at = this.reserve(2);
    this.view.setInt16(at, value);
  }

  u32(value: number, what: string): void {
    checkInt(value, 0, 0xffffffff, what);
    const at = this.reserve(4);
    this.view.setUint32(at, value);
  }

  i32(value: number, what: string): void {
    checkInt(value, -0x80000000, 0x7fffffff, what);
    const at = this.reserve(4);
    this.view.setInt32(at, value);
  }

  f32(value: number, what: string): void {
    if (typeof value !== 'number')
      throw new FrameEncodeError(`${what} must be a number, got ${typeof value}`);
    const at = this.reserve(4);
    this.view.setFloat32(at, value);
  }

  raw(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
  }

  /** Fixed-width ASCII field padded with spaces. */
  fixedName(name: string, width: number, what: string): void {
    const bytes = asciiBytes(name, what);
    if (bytes.length > width)
      throw new FrameEncodeError(`${what} '${name}' is ${bytes.length} bytes; the field holds ${width}`);
    const at = this.reserve(width);
    this.buf.fill(0x20, at, at + width);
    this.buf.set(bytes, at);
  }

  /** CFG-3 name: one length byte then UTF-8. */
  prefixedName(name: string, what: string): void {
    const bytes = new TextEncoder().encode(name);
    if (bytes.length > 255)
      throw new FrameEncodeError(
        `${what} '${name}' is ${bytes.length} bytes of UTF-8; CFG-3 names hold at most 255`,
      );
    this.u8(bytes.length, `${what} length`);
    this.raw(bytes);
  }

  text(value: string, what: string): void {
    this.raw(asciiBytes(value, what));
  }

  /** Overwrites a 16-bit word already written (FRAMESIZE, CHK). */
  patchU16(at: number, value: number): void {
    this.view.setUint16(at, value);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The written bytes without copying; valid until the next write. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export function checkInt(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FrameEncodeError(`${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

function asciiBytes(value: string, what: string): Uint8Array {
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code > 0xff)
      throw new FrameEncodeError(`${what} has a character outside Latin-1 at position ${i}; use ASCII text`);
    out[i] = code;
  }
  return out;
}

import { FrameFormatError } from '../errors/frame-format-error';

/**
 * Bounds-checked big-endian reader over one frame's body. Running past the
 * end means FRAMESIZE and the frame's own counts disagree, so every overrun
 * becomes a `size-mismatch` reject rather than a RangeError.
 */
export class ByteReader {
  private readonly view: DataView;
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    if (end > bytes.length || start > end)
      throw new RangeError(`reader window [${start}, ${end}) outside ${bytes.length} bytes`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (at + n > this.end) {
      throw new FrameFormatError(
        'size-mismatch',
        `frame ends inside ${what}: needs ${n} bytes at offset ${at}, frame body ends at ${this.end}`,
      );
    }
    this.pos = at + n;
    return at;
  }

  u8(what: string): number {
    return this.bytes[this.need(1, what)];
  }

  u16(what: string): number {
    return this.view.getUint16(this.need(2, what));
  }

  i16(what: string): number {
    return this.view.getInt16(this.need(2, what));
  }

  u32(what: string): number {
    return this.view.getUint32(this.need(4, what));
  }

  i32(what: string): number {
    return this.view.getInt32(this.need(4, what));
  }

  f32(what: string): number {
    return this.view.getFloat32(this.need(4, what));
  }

  bytesOf(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    return this.bytes.slice(at, at + n);
  }

  /** Fixed-width ASCII field; trailing spaces and NULs are padding. */
  fixedName(n: number, what: string): string {
    const at = this.need(n, what);
    let stop = at + n;
    while (stop > at && (this.bytes[stop - 1] === 0x20 || this.bytes[stop - 1] === 0)) stop -= 1;
    return latin1(this.bytes, at, stop);
  }

  /** CFG-3 name: one length byte, then that many bytes of UTF-8. */
  prefixedName(what: string): string {
    const n = this.u8(`${what} length`);
    const at = this.need(n, what);
    return new TextDecoder().decode(this.bytes.subarray(at, at + n));
  }

  text(n: number, what: string): string {
    const at = this.need(n, what);
    return latin1(this.bytes, at, at + n);
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i += 1) out += String.fromCharCode(bytes[i]);
  return out;
}

import { WireFormatError } from '../errors/wire-format-error';

/**
 * Typed arrays are read in place, so the encodings are little-endian by
 * definition and every host that runs them must be too (x86-64 and arm64 are).
 * A big-endian host fails at load rather than misreading every number.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!LITTLE_ENDIAN) throw new Error('libs/estimation encodings need a little-endian host');

type Kind = 'snapshot' | 'catalog' | 'result';

/** Rounds a byte count up to the next multiple of 8, so the next section can hold Float64 values. */
export function align8(bytes: number): number {
  return (bytes + 7) & ~7;
}

/** Bytes the given typed-array sections take after a header, each section starting 8-aligned. */
export function sectionsBytes(
  header: number,
  sections: readonly { BYTES_PER_ELEMENT: number; length: number }[],
): number {
  let at = align8(header);
  for (const s of sections) at = align8(at + s.BYTES_PER_ELEMENT * s.length);
  return at;
}

/** Writes a header (through a DataView) then typed-array sections, each 8-aligned, into one Uint8Array. */
export class SectionWriter {
  readonly bytes: Uint8Array;
  readonly header: DataView;
  private at: number;

  constructor(total: number, headerBytes: number) {
    this.bytes = new Uint8Array(total);
    this.header = new DataView(this.bytes.buffer, 0, headerBytes);
    this.at = align8(headerBytes);
  }

  put(
    values: ArrayLike<number> & {
      BYTES_PER_ELEMENT: number;
      buffer: ArrayBufferLike;
      byteOffset: number;
      byteLength: number;
    },
  ): void {
    this.bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.at);
    this.at = align8(this.at + values.byteLength);
  }

  /** The encoding; asserts every byte was accounted for. */
  finish(): Uint8Array {
    if (this.at !== this.bytes.length)
      throw new Error(`encoder wrote ${this.at} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}

/** Reads sections written by SectionWriter, in place when the bytes are 8-aligned, checking every length. */
export class SectionReader {
  readonly header: DataView;
  private readonly bytes: Uint8Array;
  private at: number;

  constructor(
    private readonly kind: Kind,
    input: Uint8Array,
    headerBytes: number,
  ) {
    if (!(input instanceof Uint8Array)) throw new WireFormatError(kind, 'expected a Uint8Array');
    if (input.length < headerBytes)
      throw new WireFormatError(kind, `${input.length} bytes, shorter than the ${headerBytes}-byte header`);
    // A payload delivered inside a larger frame may start anywhere; one copy makes its Float64 sections readable.
    this.bytes = input.byteOffset % 8 === 0 ? input : input.slice();
    this.header = new DataView(this.bytes.buffer, this.bytes.byteOffset, headerBytes);
    this.at = align8(headerBytes);
  }

  /** Checks the total length the header implies against the bytes present, before any section is read. */
  expectTotal(total: number): void {
    if (total !== this.bytes.length)
      throw new WireFormatError(this.kind, `header implies ${total} bytes, got ${this.bytes.length}`);
  }

  f64(count: number): Float64Array {
    return this.take(count, 8, (b, o, n) => new Float64Array(b, o, n));
  }

  u32(count: number): Uint32Array {
    return this.take(count, 4, (b, o, n) => new Uint32Array(b, o, n));
  }

  i32(count: number): Int32Array {
    return this.take(count, 4, (b, o, n) => new Int32Array(b, o, n));
  }

  u16(count: number): Uint16Array {
    return this.take(count, 2, (b, o, n) => new Uint16Array(b, o, n));
  }

  u8(count: number): Uint8Array {
    return this.take(count, 1, (b, o, n) => new Uint8Array(b, o, n));
  }

  private take<T>(
    count: number,
    size: number,
    make: (b: ArrayBufferLike, offset: number, n: number) => T,
  ): T {
    const end = this.at + count * size;
    if (end > this.bytes.length)
      throw new WireFormatError(this.kind, `a section runs past the end (${end} > ${this.bytes.length})`);
    const out = make(this.bytes.buffer, this.bytes.byteOffset + this.at, count);
    this.at = align8(end);
    return out;
  }

  fail(reason: string): never {
    throw new WireFormatError(this.kind, reason);
  }
}

import { copyBytes } from '../protocol';

/**
 * A compact encoding for the common case of Group call arguments: numbers, booleans, null, undefined, short strings
 * and plain Uint8Arrays. V8's structured clone handles everything, but for a typed array it runs JS-level host-object
 * hooks and costs several microseconds per call, which dominated multicast throughput. Anything else falls back to
 * structured clone, so the choice is invisible to handlers.
 *
 * Layout after the handler id: PLAIN_ARGS_TAG, u8 count, then per argument a type tag and its value (f64 big-endian;
 * u32 length + UTF-8; u32 length + bytes). Structured clone always starts with 0xFF, so the first byte tells them apart.
 */
export const PLAIN_ARGS_TAG = 0x01;
/** More arguments than this go through structured clone (the count is one byte). */
const MAX_PLAIN_ARGS = 255;
/** Longer strings go through structured clone: scanning them twice here would gain nothing. */
const MAX_PLAIN_STRING_CHARS = 4096;

const enum ArgType {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Number = 4,
  String = 5,
  Bytes = 6,
}

/** Bytes the arguments take in the plain layout, or -1 if one of them needs structured clone. */
export function plainArgsBytes(args: readonly unknown[]): number {
  if (args.length > MAX_PLAIN_ARGS) return -1;
  let total = 2;
  for (const arg of args) {
    const size = plainArgBytes(arg);
    if (size < 0) return -1;
    total += size;
  }
  return total;
}

function plainArgBytes(arg: unknown): number {
  if (arg === undefined || arg === null || typeof arg === 'boolean') return 1;
  if (typeof arg === 'number') return 9;
  if (typeof arg === 'string')
    return arg.length <= MAX_PLAIN_STRING_CHARS ? 5 + Buffer.byteLength(arg, 'utf8') : -1;
  // Exactly Uint8Array: a Buffer or subclass must come back as what it was, which structured clone takes care of.
  if (arg instanceof Uint8Array && arg.constructor === Uint8Array) return 5 + arg.byteLength;
  return -1;
}

/** Writes the plain layout at `offset`; `out` has exactly plainArgsBytes(args) bytes from there. Plain byte writes:
 *  Buffer's checked writers cost more than the values they write. */
export function writePlainArgs(out: Uint8Array, offset: number, args: readonly unknown[]): void {
  out[offset] = PLAIN_ARGS_TAG;
  out[offset + 1] = args.length;
  let at = offset + 2;
  for (const arg of args) at = writePlainArg(out, at, arg);
}

function writePlainArg(out: Uint8Array, at: number, arg: unknown): number {
  if (typeof arg === 'number') {
    out[at] = ArgType.Number;
    writeF64(out, at + 1, arg);
    return at + 9;
  }
  if (typeof arg === 'string') {
    const { written } = utf8Encoder.encodeInto(arg, out.subarray(at + 5));
    out[at] = ArgType.String;
    writeU32(out, at + 1, written);
    return at + 5 + written;
  }
  if (arg instanceof Uint8Array) {
    out[at] = ArgType.Bytes;
    writeU32(out, at + 1, arg.byteLength);
    out.set(arg, at + 5);
    return at + 5 + arg.byteLength;
  }
  out[at] =
    arg === undefined ? ArgType.Undefined : arg === null ? ArgType.Null : arg ? ArgType.True : ArgType.False;
  return at + 1;
}

/** Reads the plain layout from `offset` to the end of `bytes`; throws RangeError naming what is wrong. Works on the
 *  Uint8Array as delivered: wrapping it in a Buffer first costs more than decoding a small call. */
export function readPlainArgs(bytes: Uint8Array, offset: number, bytesAsViews = false): unknown[] {
  const count = readByte(bytes, offset + 1);
  // Sized once: pushing onto [] grows a backing store several times the few arguments a call has.
  const args: unknown[] = new Array<unknown>(count);
  cursor = offset + 2;
  for (let i = 0; i < count; i++) args[i] = readPlainArg(bytes, i, bytesAsViews);
  checkEnd(bytes);
  return args;
}

/** Most arguments callWithPlainArgs passes as they are read, without an array. */
const MAX_DIRECT_ARGS = 4;

/**
 * Decodes the plain layout at `offset` (as readPlainArgs) and calls `fn` with the arguments, returning what it
 * returns; a malformed layout goes to `onMalformed` with what is wrong, and `fn` is not called. Up to MAX_DIRECT_ARGS
 * arguments are passed from locals, with no arguments array and no spread, and stored nowhere on the heap on the
 * way: a delivery allocates only what the handler receives. The handler sees exactly the count the sender passed
 * (arguments.length, rest parameters). What `fn` throws propagates.
 */
export function callWithPlainArgs(
  fn: (...args: unknown[]) => unknown,
  bytes: Uint8Array,
  offset: number,
  bytesAsViews: boolean,
  onMalformed: (reason: string) => void,
): unknown {
  let count: number;
  let many: unknown[] | undefined;
  let a0: unknown, a1: unknown, a2: unknown, a3: unknown;
  try {
    count = readByte(bytes, offset + 1);
    if (count > MAX_DIRECT_ARGS) many = readPlainArgs(bytes, offset, bytesAsViews);
    else {
      cursor = offset + 2;
      if (count > 0) a0 = readPlainArg(bytes, 0, bytesAsViews);
      if (count > 1) a1 = readPlainArg(bytes, 1, bytesAsViews);
      if (count > 2) a2 = readPlainArg(bytes, 2, bytesAsViews);
      if (count > 3) a3 = readPlainArg(bytes, 3, bytesAsViews);
      checkEnd(bytes);
    }
  } catch (error) {
    onMalformed((error as Error).message);
    return undefined;
  }
  if (many !== undefined) return fn(...many);
  switch (count) {
    case 0:
      return fn();
    case 1:
      return fn(a0);
    case 2:
      return fn(a0, a1);
    case 3:
      return fn(a0, a1, a2);
    default:
      return fn(a0, a1, a2, a3);
  }
}

/** Where the next argument starts: a module-level cursor, so reading one argument returns just its value. */
let cursor = 0;

function readPlainArg(bytes: Uint8Array, index: number, bytesAsViews: boolean): unknown {
  const at = cursor;
  const type = readByte(bytes, at) as ArgType;
  if (type === ArgType.String || type === ArgType.Bytes) {
    const length = readU32(bytes, at + 1);
    const end = at + 5 + length;
    if (end > bytes.length) throw new RangeError(`an argument of ${length} bytes overruns the payload`);
    cursor = end;
    // A copy, like structured clone gives: the handler may keep or change it, the payload stays as it was. Unless
    // the handler asked for views (it changes nothing and copies what it needs): one copy fewer per large argument.
    // A view made directly: TypedArray#subarray looks up the species constructor first, at twice the cost.
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset + at + 5, length);
    return type === ArgType.String ? utf8.decode(view) : bytesAsViews ? view : copyBytes(view);
  }
  if (type === ArgType.Number) {
    cursor = at + 9;
    return readF64(bytes, at + 1);
  }
  cursor = at + 1;
  return readConstant(type, index);
}

function checkEnd(bytes: Uint8Array): void {
  if (cursor !== bytes.length)
    throw new RangeError(`${bytes.length - cursor} unexpected bytes after the arguments`);
}

function readConstant(type: ArgType, index: number): unknown {
  switch (type) {
    case ArgType.Undefined:
      return undefined;
    case ArgType.Null:
      return null;
    case ArgType.False:
      return false;
    case ArgType.True:
      return true;
    default:
      throw new RangeError(`argument ${index} has unknown type tag ${String(type)}`);
  }
}

/** Invalid UTF-8 becomes U+FFFD, as Buffer#toString does; the sender wrote it from a JavaScript string anyway. */
const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();
/** Big-endian doubles are assembled here, byte-reversed on little-endian hosts. */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readByte(bytes: Uint8Array, at: number): number {
  if (at >= bytes.length)
    throw new RangeError(`the payload ends at byte ${bytes.length}, inside the arguments`);
  return bytes[at];
}

export function readU32(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length)
    throw new RangeError(`the payload ends at byte ${bytes.length}, inside the arguments`);
  return bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}

export function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

function writeF64(out: Uint8Array, at: number, value: number): void {
  f64[0] = value;
  for (let i = 0; i < 8; i++) out[at + i] = f64Bytes[LITTLE_ENDIAN_HOST ? 7 - i : i];
}

function readF64(bytes: Uint8Array, at: number): number {
  if (at + 8 > bytes.length)
    throw new RangeError(`the payload ends at byte ${bytes.length}, inside the arguments`);
  for (let i = 0; i < 8; i++) f64Bytes[LITTLE_ENDIAN_HOST ? 7 - i : i] = bytes[at + i];
  return f64[0];
}

import { deserialize, serialize } from 'node:v8';
import { allocateEncoded } from '../protocol';
import {
  callWithPlainArgs,
  PLAIN_ARGS_TAG,
  plainArgsBytes,
  readPlainArgs,
  readU32,
  writePlainArgs,
  writeU32,
} from './plain-args-codec';

/** Bytes of the handler id that precedes the serialized arguments. */
const HANDLER_ID_BYTES = 4;
export const MAX_HANDLER_ID = 0xffff_ffff;

/** The payload of a Group message: which handler to call and its arguments. */
export interface GroupCall {
  readonly handlerId: number;
  readonly args: unknown[];
}

/** Encodes a handler id (u32, big-endian) followed by the arguments: in the plain layout when they are all simple
 *  values (see plain-args-codec), else in the V8 structured-clone format. */
export function encodeGroupCall(handlerId: number, args: readonly unknown[]): Uint8Array {
  if (!Number.isInteger(handlerId) || handlerId < 0 || handlerId > MAX_HANDLER_ID)
    throw new RangeError(`handler id ${handlerId} is not an integer in 0..${MAX_HANDLER_ID}`);
  const plainBytes = plainArgsBytes(args);
  if (plainBytes >= 0) {
    // Held by the protocol until stable, like an encoded message: the application sees it only through a handler
    // that takes byte arguments as views (and keeps none), so the larger slabs of encoded messages serve.
    const plain = allocateEncoded(HANDLER_ID_BYTES + plainBytes);
    writeU32(plain, 0, handlerId);
    writePlainArgs(plain, HANDLER_ID_BYTES, args);
    return plain;
  }
  const body = serialize(args);
  const payload = Buffer.allocUnsafe(HANDLER_ID_BYTES + body.length);
  payload.writeUInt32BE(handlerId, 0);
  body.copy(payload, HANDLER_ID_BYTES);
  return payload;
}

/** Decodes a payload; throws RangeError (with what was wrong) on bytes that are not a Group call. The byte arguments
 *  of a handler for which `bytesAsViews` holds are views into `payload` (plain layout), not copies. */
export function decodeGroupCall(
  payload: Uint8Array,
  bytesAsViews?: (handlerId: number) => boolean,
): GroupCall {
  if (payload.length < HANDLER_ID_BYTES + 1)
    throw new RangeError(`payload of ${payload.length} bytes is shorter than a handler id and arguments`);
  const handlerId = readU32(payload, 0);
  if (payload[HANDLER_ID_BYTES] === PLAIN_ARGS_TAG)
    return { handlerId, args: readPlainArgs(payload, HANDLER_ID_BYTES, bytesAsViews?.(handlerId) === true) };
  let args: unknown;
  try {
    args = deserialize(payload.subarray(HANDLER_ID_BYTES));
  } catch (error) {
    throw new RangeError(`arguments do not deserialize: ${(error as Error).message}`);
  }
  if (!Array.isArray(args)) throw new RangeError('arguments are not an array');
  return { handlerId, args };
}

/** The handler id of a payload whose arguments are in the plain layout, or -1 for any other payload (structured
 *  clone, or too short to tell), which decodeGroupCall then reads or refuses. */
export function plainCallHandlerId(payload: Uint8Array): number {
  if (payload.length < HANDLER_ID_BYTES + 2 || payload[HANDLER_ID_BYTES] !== PLAIN_ARGS_TAG) return -1;
  return readU32(payload, 0);
}

/** Calls `handler` with the arguments of a plain call (plainCallHandlerId >= 0), as decodeGroupCall's args spread
 *  would, but with no call object, arguments array or spread: a delivery's hot path. A malformed payload goes to
 *  `onMalformed` (with what is wrong) and the handler is not called. Byte arguments are views into `payload` when
 *  `bytesAsViews`. */
export function callPlainGroupCall(
  handler: (...args: unknown[]) => unknown,
  payload: Uint8Array,
  bytesAsViews: boolean,
  onMalformed: (reason: string) => void,
): unknown {
  return callWithPlainArgs(handler, payload, HANDLER_ID_BYTES, bytesAsViews, onMalformed);
}

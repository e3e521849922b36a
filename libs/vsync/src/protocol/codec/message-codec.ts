import { DecodeError } from '../errors/decode-error';
import { type ProcessId, sameProcess } from '../process-id';
import type { DataRecord, WireBody, WireMessage } from '../wire-message';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { BODY_SCHEMAS, type Schema } from './schema';

/** Bumped whenever the layout changes incompatibly; a peer with another version is refused, never misread. */
export const WIRE_VERSION = 7;

/** Added to a packed record's ordering code when the record is a query's request (its queryId follows). */
const QUERY_ORDERING_OFFSET = 2;
/** A safeSend record (never a query's request): after the four codes of fifo and total, plain and query. */
const SAFE_ORDERING_CODE = 4;
/** The wire code of an ordering (0 fifo, 1 total, SAFE_ORDERING_CODE safe), -1 for anything else: a switch, not a
 *  Map lookup, as it runs once per packed record. */
function orderingCode(ordering: string): number {
  switch (ordering) {
    case 'fifo':
      return 0;
    case 'total':
      return 1;
    case 'safe':
      return SAFE_ORDERING_CODE;
    default:
      return -1;
  }
}
const KIND_CODES = new Map(BODY_SCHEMAS.map(([kind], code) => [kind, code]));
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Compact binary form: version byte, kind code, envelope fields, body fields, all positional. */
export function encodeMessage(message: WireMessage): Uint8Array {
  const parts = encodeMessageParts(message);
  if (parts instanceof Uint8Array) return parts;
  const whole = new Uint8Array(parts[0].length + parts[1].length);
  whole.set(parts[0]);
  whole.set(parts[1], parts[0].length);
  return whole;
}

/** The same bytes as encodeMessage, but a data message comes as two arrays, its own envelope and the packed body
 *  shared by every copy of it: whoever frames it copies both once instead of joining them into a new array first. */
export function encodeMessageParts(message: WireMessage): Uint8Array | readonly [Uint8Array, Uint8Array] {
  const code = KIND_CODES.get(message.body.kind);
  if (code === undefined) throw new TypeError(`encodeMessage: unknown message kind "${message.body.kind}"`);
  // Encoded before the envelope starts: every ByteWriter shares one scratch buffer.
  const body = message.body.kind === 'data' ? encodedData(message.from, message.body) : undefined;
  const w = new ByteWriter();
  w.byte(WIRE_VERSION);
  w.uint(code);
  writeEnvelope(w, message);
  if (body !== undefined) return [w.finish(), body];
  writeFields(w, BODY_SCHEMAS[code][1], message.body as unknown as Record<string, unknown>);
  return w.finish();
}

/** The envelope (see schema.ts) written field by field: every message has one. */
function writeEnvelope(w: ByteWriter, message: WireMessage): void {
  w.string(message.from.address);
  w.uint(message.from.incarnation);
  w.uint(message.toIncarnation);
  w.uint(message.linkSeq);
  w.uint(message.linkAck);
}

/**
 * The packed data body (schema `data`): what the records share once, then per record only what differs.
 *
 *   str group, uint epoch, uint first seq, uint count, then per record: uint ordering (0 fifo, 1 total; 2 and 3
 *   the same for a query's request, followed by uint queryId; 4 safe), uint lamport, bytes payload. The sender is the envelope's `from`; seqs run first, first + 1, ...
 */
function writeData(w: ByteWriter, from: ProcessId, records: readonly DataRecord[]): void {
  const first = records[0];
  if (first === undefined) throw new TypeError('encodeMessage: a data message carries at least one record');
  w.string(first.group);
  w.uint(first.epoch);
  w.uint(first.seq);
  w.uint(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (
      r.group !== first.group ||
      r.epoch !== first.epoch ||
      r.seq !== first.seq + i ||
      !sameProcess(r.sender, from)
    )
      throw new TypeError(
        'encodeMessage: packed records must be consecutive own records of one group and epoch',
      );
    const ordering = orderingCode(r.ordering);
    if (ordering < 0) throw new TypeError('encodeMessage: ordering must be one of fifo|total|safe');
    if (ordering === SAFE_ORDERING_CODE && r.queryId !== 0)
      throw new TypeError('encodeMessage: a safe record cannot be a query request');
    if (r.queryId === 0) w.uint(ordering);
    else {
      w.uint(ordering + QUERY_ORDERING_OFFSET);
      w.uint(r.queryId);
    }
    w.uint(r.lamport);
    w.bytes(r.payload);
  }
}

/** A pack goes to every other member and again on retransmission, in one immutable body object: it is encoded
 *  once, then only the small envelope differs per copy. Weak keys free it with the body. */
const dataBodies = new WeakMap<object, Uint8Array>();

function encodedData(from: ProcessId, body: { readonly records: readonly DataRecord[] }): Uint8Array {
  let bytes = dataBodies.get(body);
  if (bytes === undefined) {
    const w = new ByteWriter(maxDataBytes(body.records));
    writeData(w, from, body.records);
    bytes = w.finish();
    dataBodies.set(body, bytes);
  }
  return bytes;
}

/** Most bytes a varint field takes (2^53 - 1 in LEB128). */
const MAX_VARINT_BYTES = 8;

/** The most bytes writeData can take for these records: what it writes straight into one encoded array. */
function maxDataBytes(records: readonly DataRecord[]): number {
  const group = records[0]?.group ?? '';
  // A string: its length varint, then at most three UTF-8 bytes per UTF-16 unit.
  let bytes = MAX_VARINT_BYTES + 3 * group.length + 3 * MAX_VARINT_BYTES;
  // Per record: ordering, query id, lamport and the payload's length, then the payload.
  for (let i = 0; i < records.length; i++) bytes += 4 * MAX_VARINT_BYTES + records[i].payload.length;
  return bytes;
}

const decodeGroupName = (bytes: Uint8Array): string => decodeText(bytes, 'group');

function readData(r: ByteReader, from: ProcessId): WireBody {
  const group = r.string(decodeGroupName);
  const epoch = r.uint();
  const firstSeq = r.uint();
  const count = r.uint();
  // Every record takes at least three bytes, so a larger count is a lie; refuse before allocating.
  if (count === 0 || count > r.remaining / 3)
    throw new DecodeError(`data message claims ${count} records in ${r.remaining} bytes`);
  if (!Number.isSafeInteger(firstSeq + count)) throw new DecodeError(`data sequence numbers overflow`);
  const records: DataRecord[] = new Array<DataRecord>(count);
  for (let i = 0; i < count; i++) {
    const code = r.uint();
    if (code > SAFE_ORDERING_CODE) throw new DecodeError(`field ordering has unknown value ${code}`);
    const isQuery = code >= QUERY_ORDERING_OFFSET && code < SAFE_ORDERING_CODE;
    const queryId = isQuery ? r.uint() : 0;
    if (isQuery && queryId === 0) throw new DecodeError('a query request has query id 0');
    const lamport = r.uint();
    // A view, not a copy: the payload is held only until stable, and a pack's payloads share one frame anyway.
    const payload = r.bytesView();
    const ordering =
      code === SAFE_ORDERING_CODE ? 'safe' : code % QUERY_ORDERING_OFFSET === 0 ? 'fifo' : 'total';
    records[i] = { group, sender: from, epoch, seq: firstSeq + i, ordering, lamport, payload, queryId };
  }
  return { kind: 'data', records };
}

/** Throws DecodeError (typed) on bad bytes, never anything else. */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  try {
    return decodeUnchecked(bytes);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    throw new DecodeError(`unreadable message (${error instanceof Error ? error.message : String(error)})`);
  }
}

function decodeUnchecked(bytes: Uint8Array): WireMessage {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('input is not a Uint8Array');
  const r = new ByteReader(bytes);
  const version = r.byte();
  if (version !== WIRE_VERSION)
    throw new DecodeError(`wire version ${version} is not supported (expected ${WIRE_VERSION})`);
  const code = r.uint();
  const entry = BODY_SCHEMAS[code];
  if (!entry) throw new DecodeError(`unknown message kind code ${code}`);
  // The envelope read field by field (as writeEnvelope writes it), into objects of one shape.
  const from: ProcessId = { address: r.string(decodeAddress), incarnation: r.uint() };
  const toIncarnation = r.uint();
  const linkSeq = r.uint();
  const linkAck = r.uint();
  const body = (
    entry[0] === 'data' ? readData(r, from) : readFields(r, entry[1], { kind: entry[0] })
  ) as WireBody;
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} unexpected bytes after a ${entry[0]} message`);
  return { from, toIncarnation, linkSeq, linkAck, body };
}

const decodeAddress = (bytes: Uint8Array): string => decodeText(bytes, 'address');

function writeFields(
  w: ByteWriter,
  fields: readonly (readonly [string, Schema])[],
  value: Record<string, unknown>,
): void {
  for (const [name, schema] of fields) writeValue(w, schema, value[name], name);
}

function writeValue(w: ByteWriter, schema: Schema, value: unknown, name: string): void {
  if (schema === 'uint') return w.uint(value as number);
  if (schema === 'str') return w.string(value as string);
  if (schema === 'bytes') return w.bytes(value as Uint8Array);
  if (schema === 'bool') return w.byte(value ? 1 : 0);
  if ('enum' in schema) {
    const index = schema.enum.indexOf(value as string);
    if (index < 0) throw new TypeError(`encodeMessage: ${name} must be one of ${schema.enum.join('|')}`);
    return w.uint(index);
  }
  if ('arr' in schema) {
    const items = value as readonly unknown[];
    w.uint(items.length);
    for (const item of items) writeValue(w, schema.arr, item, name);
    return;
  }
  if ('opt' in schema) {
    w.byte(value === null || value === undefined ? 0 : 1);
    if (value !== null && value !== undefined) writeValue(w, schema.opt, value, name);
    return;
  }
  writeFields(w, schema.obj, value as Record<string, unknown>);
}

function readFields(
  r: ByteReader,
  fields: readonly (readonly [string, Schema])[],
  out: Record<string, unknown>,
): Record<string, unknown> {
  for (const [name, schema] of fields) out[name] = readValue(r, schema, name);
  return out;
}

function readValue(r: ByteReader, schema: Schema, name: string): unknown {
  if (schema === 'uint') return r.uint();
  if (schema === 'str') return r.string((bytes) => decodeText(bytes, name));
  if (schema === 'bytes') return r.bytes();
  if (schema === 'bool') return readFlag(r, name);
  if ('enum' in schema) {
    const index = r.uint();
    if (index >= schema.enum.length) throw new DecodeError(`field ${name} has unknown value ${index}`);
    return schema.enum[index];
  }
  if ('arr' in schema) {
    const count = r.uint();
    // Every element takes at least one byte, so a count beyond the remaining bytes is a lie; refuse before allocating.
    if (count > r.remaining)
      throw new DecodeError(`field ${name} claims ${count} items in ${r.remaining} bytes`);
    const items: unknown[] = [];
    for (let i = 0; i < count; i++) items.push(readValue(r, schema.arr, name));
    return items;
  }
  if ('opt' in schema) return readFlag(r, name) ? readValue(r, schema.opt, name) : null;
  return readFields(r, schema.obj, {});
}

function readFlag(r: ByteReader, name: string): boolean {
  const b = r.byte();
  if (b > 1) throw new DecodeError(`field ${name} has flag byte ${b} (expected 0 or 1)`);
  return b === 1;
}

function decodeText(bytes: Uint8Array, name: string): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new DecodeError(`field ${name} is not valid UTF-8`);
  }
}

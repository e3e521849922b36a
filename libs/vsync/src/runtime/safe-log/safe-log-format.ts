import { crc32 } from 'node:zlib';
import type { SafeLogEntry } from '../../protocol';

/** Bytes before each record's body: its length and the CRC-32 of the body, both uint32 big-endian. */
export const RECORD_HEADER_BYTES = 8;
/** Fixed fields of a body: epoch, lamport, seq and incarnation (6 bytes each) and the address length (2). */
const FIXED_BODY_BYTES = 26;
/** A record claiming more than this is a torn or foreign length field, never a record this log wrote. */
export const MAX_LOG_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * One log record: `u32 length, u32 crc32(body), body`, body = `u48 epoch, u48 lamport, u48 seq, u48 incarnation,
 * u16 address length, address (UTF-8), payload`. Appends write whole records; a crash mid-write leaves a record whose
 * length or CRC does not match, which `decodeLog` detects and drops with everything after it.
 */
export function encodeLogRecord(e: SafeLogEntry): Buffer {
  const address = Buffer.from(e.sender.address, 'utf8');
  const bodyBytes = FIXED_BODY_BYTES + address.length + e.payload.length;
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyBytes);
  let at = RECORD_HEADER_BYTES;
  for (const n of [e.epoch, e.lamport, e.seq, e.sender.incarnation]) at = out.writeUIntBE(n, at, 6);
  at = out.writeUInt16BE(address.length, at);
  at += address.copy(out, at);
  out.set(e.payload, at);
  out.writeUInt32BE(bodyBytes, 0);
  out.writeUInt32BE(crc32(out.subarray(RECORD_HEADER_BYTES)), 4);
  return out;
}

export interface DecodedLog {
  readonly entries: SafeLogEntry[];
  /** Bytes of whole, intact records from the start: the file is cut here. */
  readonly goodBytes: number;
  /** Bytes after them (a torn tail, or corruption): dropped. */
  readonly droppedBytes: number;
}

export function decodeLog(bytes: Uint8Array): DecodedLog {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const entries: SafeLogEntry[] = [];
  let at = 0;
  while (at + RECORD_HEADER_BYTES <= buf.length) {
    const length = buf.readUInt32BE(at);
    const end = at + RECORD_HEADER_BYTES + length;
    if (length < FIXED_BODY_BYTES || length > MAX_LOG_RECORD_BYTES || end > buf.length) break;
    const body = buf.subarray(at + RECORD_HEADER_BYTES, end);
    if (crc32(body) !== buf.readUInt32BE(at + 4)) break;
    const entry = decodeBody(body);
    if (entry === undefined) break;
    entries.push(entry);
    at = end;
  }
  return { entries, goodBytes: at, droppedBytes: buf.length - at };
}

function decodeBody(body: Buffer): SafeLogEntry | undefined {
  const [epoch, lamport, seq, incarnation] = [0, 6, 12, 18].map((at) => body.readUIntBE(at, 6));
  const addressBytes = body.readUInt16BE(24);
  if (FIXED_BODY_BYTES + addressBytes > body.length) return undefined;
  const address = body.toString('utf8', FIXED_BODY_BYTES, FIXED_BODY_BYTES + addressBytes);
  // A copy: the entry outlives the file buffer it was read from.
  const payload = new Uint8Array(body.subarray(FIXED_BODY_BYTES + addressBytes));
  return { epoch, lamport, seq, sender: { address, incarnation }, payload };
}

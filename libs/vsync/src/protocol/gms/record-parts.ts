import { assert } from '../errors/invariant-error';
import { processKey, type ProcessId } from '../process-id';
import type { AcceptedValue, DataRecord, ViewValue, WireBody } from '../wire-message';

type Body<K extends WireBody['kind']> = Extract<WireBody, { kind: K }>;
/** The view-change messages that carry unstable records, possibly more than one frame holds. */
export type RecordCarrier = Body<'flushOk'> | Body<'propose'> | Body<'commit'>;

/** Bytes of records one part carries at most (a larger record goes alone). */
export const MAX_RECORDS_PART_BYTES = 256 * 1024;

/** The message's own records: a flushOk's report, a proposed or committed value's flush set. */
export const OWN_RECORDS_SLOT = 0;
/** The flush set of the value a flushOk reports as accepted. */
export const ACCEPTED_RECORDS_SLOT = 1;

/** Most bytes one record adds to an encoded message besides its payload: group and sender address (at most three
 *  UTF-8 bytes per UTF-16 unit, with length prefixes), incarnation, epoch, seq, ordering, lamport and payload length
 *  varints. Counting this much per record keeps every part within the budget whatever the records are. */
export function recordOverheadBytes(r: DataRecord): number {
  return 3 * (r.group.length + r.sender.address.length) + 64;
}

/** Splits records into runs whose payloads plus overheads stay within `partBytes`; a record larger than that goes
 *  alone (its payload was checked against maxPayloadBytes when it was sent, so it fits a frame by itself). */
export function splitRecords(records: readonly DataRecord[], partBytes: number): DataRecord[][] {
  assert(partBytes > 0, 'a records part holds at least one byte');
  const parts: DataRecord[][] = [];
  let current: DataRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.payload.length + recordOverheadBytes(r);
    if (current.length > 0 && bytes + size > partBytes) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

function recordBytes(records: readonly DataRecord[]): number {
  let bytes = 0;
  for (const r of records) bytes += r.payload.length + recordOverheadBytes(r);
  return bytes;
}

/** What a record-carrying message sends ahead of itself, and what is left in it. Records that fit in one part stay in
 *  the message itself (the common case: nothing changes on the wire); more go ahead as recordsPart bodies, the same
 *  objects for every receiver. */
export function splitCarrier(
  body: RecordCarrier,
  partBytes: number,
): { ahead: WireBody[]; body: RecordCarrier } {
  const own = ownRecords(body);
  const accepted = body.kind === 'flushOk' ? (body.accepted?.value.flush ?? []) : [];
  if (recordBytes(own) + recordBytes(accepted) <= partBytes) return { ahead: [], body };
  const ahead: WireBody[] = [
    ...splitRecords(own, partBytes).map((records) => part(OWN_RECORDS_SLOT, records)),
    ...splitRecords(accepted, partBytes).map((records) => part(ACCEPTED_RECORDS_SLOT, records)),
  ];
  return { ahead, body: withRecords(body, [], []) };
}

function part(slot: number, records: DataRecord[]): WireBody {
  return { kind: 'recordsPart', slot, records };
}

function ownRecords(body: RecordCarrier): readonly DataRecord[] {
  return body.kind === 'flushOk' ? body.records : body.value.flush;
}

/** The carrier with its records replaced (own first, then the accepted value's flush set). */
function withRecords(
  body: RecordCarrier,
  own: readonly DataRecord[],
  accepted: readonly DataRecord[],
): RecordCarrier {
  if (body.kind !== 'flushOk') return { ...body, value: { ...body.value, flush: own } };
  const value: AcceptedValue | null = body.accepted && {
    ballot: body.accepted.ballot,
    value: { ...body.accepted.value, flush: accepted } satisfies ViewValue,
  };
  return { ...body, records: own, accepted: value };
}

/**
 * Records parts received from each peer, waiting for the flushOk, propose or commit they precede. Links are reliable
 * and FIFO, so the parts a peer sent before a carrier are exactly those buffered when the carrier arrives. A peer's
 * buffer holds at most `maxParts` parts (one more means the peer broke the protocol: its buffer is dropped).
 */
export class PartInbox {
  private readonly byPeer = new Map<string, { own: DataRecord[]; accepted: DataRecord[]; parts: number }>();

  constructor(private readonly maxParts: number) {}

  /** Buffers one part; returns false if the peer exceeded the bound (its buffer is then dropped). */
  add(from: ProcessId, body: Body<'recordsPart'>): boolean {
    const key = processKey(from);
    let entry = this.byPeer.get(key);
    if (entry === undefined) {
      entry = { own: [], accepted: [], parts: 0 };
      this.byPeer.set(key, entry);
    }
    if (++entry.parts > this.maxParts || body.slot > ACCEPTED_RECORDS_SLOT) {
      this.byPeer.delete(key);
      return false;
    }
    const target = body.slot === OWN_RECORDS_SLOT ? entry.own : entry.accepted;
    for (const r of body.records) target.push(r);
    return true;
  }

  /** The carrier whole again: the buffered parts of its sender before its own records. */
  complete(from: ProcessId, body: RecordCarrier): RecordCarrier {
    const key = processKey(from);
    const entry = this.byPeer.get(key);
    if (entry === undefined) return body;
    this.byPeer.delete(key);
    const accepted = body.kind === 'flushOk' ? (body.accepted?.value.flush ?? []) : [];
    return withRecords(body, [...entry.own, ...ownRecords(body)], [...entry.accepted, ...accepted]);
  }

  /** Forgets the parts of processes that are no longer members (they will never send the carrier). */
  retain(keep: (key: string) => boolean): void {
    for (const key of this.byPeer.keys()) if (!keep(key)) this.byPeer.delete(key);
  }
}

import type { DataRecord, WireBody } from '../wire-message';

/** What a body costs beyond its payloads (envelope, fields, bookkeeping); a bound, not an exact count. */
const BODY_OVERHEAD_BYTES = 128;
const RECORD_OVERHEAD_BYTES = 64;

/** The memory a received body holds, for the byte bounds on what waits in buffers (reordered link messages,
 *  messages of a view not installed yet): payloads dominate, everything else is charged a fixed overhead. */
export function bodySizeBytes(body: WireBody): number {
  switch (body.kind) {
    case 'data':
    case 'recordsPart':
      return BODY_OVERHEAD_BYTES + recordsBytes(body.records);
    case 'flushOk':
      return (
        BODY_OVERHEAD_BYTES + recordsBytes(body.records) + recordsBytes(body.accepted?.value.flush ?? [])
      );
    case 'propose':
    case 'commit':
      return BODY_OVERHEAD_BYTES + recordsBytes(body.value.flush) + 64 * body.value.members.length;
    case 'groupAck':
      return BODY_OVERHEAD_BYTES + 8 * body.received.length;
    default:
      return BODY_OVERHEAD_BYTES;
  }
}

function recordsBytes(records: readonly DataRecord[]): number {
  let bytes = 0;
  for (const r of records) bytes += RECORD_OVERHEAD_BYTES + r.group.length + r.payload.length;
  return bytes;
}

import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../codec/message-codec';
import type { ProcessId } from '../process-id';
import type { DataRecord, ViewValue, WireBody } from '../wire-message';
import {
  PartInbox,
  recordOverheadBytes,
  splitCarrier,
  splitRecords,
  type RecordCarrier,
} from './record-parts';

const a: ProcessId = { address: 'host-a:7000', incarnation: 3 };
const b: ProcessId = { address: 'host-b:7000', incarnation: 1 };

function records(count: number, payloadBytes: number): DataRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    group: 'estimators',
    sender: a,
    epoch: 4,
    seq: i + 1,
    ordering: i % 2 === 0 ? 'fifo' : 'total',
    lamport: i + 1,
    payload: new Uint8Array(payloadBytes).fill(i % 251),
    queryId: 0,
  }));
}

function value(flush: DataRecord[]): ViewValue {
  return { id: 5, members: [a, b], groups: [], joined: [], left: [], failed: [], flush, serviceSize: 5 };
}

/** What the receiver sees: every body through the codec, parts buffered, the carrier completed. */
function receive(inbox: PartInbox, sent: { ahead: WireBody[]; body: RecordCarrier }): RecordCarrier {
  const wire = (body: WireBody): WireBody =>
    decodeMessage(encodeMessage({ from: a, toIncarnation: 1, linkSeq: 1, linkAck: 0, body })).body;
  for (const part of sent.ahead)
    expect(inbox.add(a, wire(part) as Extract<WireBody, { kind: 'recordsPart' }>)).toBe(true);
  return inbox.complete(a, wire(sent.body) as RecordCarrier);
}

describe('records split ahead of a flushOk, propose or commit', () => {
  it('keeps every part within the byte budget, a lone oversized record excepted', () => {
    const parts = splitRecords(records(40, 1000), 4096);
    expect(parts.flat()).toHaveLength(40);
    for (const part of parts) {
      const bytes = part.reduce((sum, r) => sum + r.payload.length + recordOverheadBytes(r), 0);
      expect(part.length === 1 || bytes <= 4096).toBe(true);
    }
    expect(splitRecords(records(2, 10_000), 4096).map((p) => p.length)).toEqual([1, 1]);
  });

  it('sends small carriers unchanged', () => {
    const body: RecordCarrier = { kind: 'commit', value: value(records(3, 10)) };
    expect(splitCarrier(body, 4096)).toEqual({ ahead: [], body });
  });

  it('reassembles a proposal whose flush set is many times the budget, each encoded message within bounds', () => {
    const flush = records(64, 1024);
    const body: RecordCarrier = {
      kind: 'propose',
      viewId: 4,
      ballot: { round: 2, leader: a },
      value: value(flush),
    };
    const sent = splitCarrier(body, 8192);
    expect(sent.ahead.length).toBeGreaterThan(7);
    for (const m of [...sent.ahead, sent.body])
      expect(
        encodeMessage({ from: a, toIncarnation: 1, linkSeq: 1, linkAck: 0, body: m }).length,
      ).toBeLessThan(8192 + 512);
    expect(receive(new PartInbox(1000), sent)).toEqual(body);
  });

  it("reassembles a flushOk's own records and its accepted value's flush set separately", () => {
    const body: RecordCarrier = {
      kind: 'flushOk',
      viewId: 4,
      ballot: { round: 3, leader: b },
      accepted: { ballot: { round: 2, leader: a }, value: value(records(20, 900)) },
      records: records(30, 700),
    };
    const inbox = new PartInbox(1000);
    expect(receive(inbox, splitCarrier(body, 4096))).toEqual(body);
    // Nothing is left over for the next carrier from the same peer.
    const next: RecordCarrier = { kind: 'commit', value: value([]) };
    expect(inbox.complete(a, next)).toBe(next);
  });

  it('drops the parts of a peer that sends more than the bound, and of peers that left', () => {
    const inbox = new PartInbox(2);
    const part = { kind: 'recordsPart', slot: 0, records: records(1, 1) } as const;
    expect(inbox.add(a, part)).toBe(true);
    expect(inbox.add(a, part)).toBe(true);
    expect(inbox.add(a, part)).toBe(false);
    expect(inbox.add(b, part)).toBe(true);
    inbox.retain(() => false);
    const next: RecordCarrier = { kind: 'commit', value: value([]) };
    expect(inbox.complete(b, next)).toBe(next);
  });
});

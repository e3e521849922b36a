import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../errors/decode-error';
import type { WireMessage } from '../wire-message';
import { WIRE_VERSION, decodeMessage, encodeMessage, encodeMessageParts } from './message-codec';

const uint = fc.maxSafeNat();
const small = fc.nat({ max: 1_000_000 });
const pid = fc.record({ address: fc.string({ maxLength: 40 }), incarnation: uint });
const ballot = fc.record({ round: small, leader: pid });
const record = fc.record({
  group: fc.string({ maxLength: 20 }),
  sender: pid,
  epoch: small,
  seq: small,
  ordering: fc.constantFrom('fifo' as const, 'total' as const),
  lamport: uint,
  payload: fc.uint8Array({ maxLength: 64 }),
  queryId: uint,
});
const group = fc.record({
  name: fc.string({ maxLength: 10 }),
  viewId: small,
  groupViewId: small,
  members: fc.array(pid, { maxLength: 4 }),
  secured: fc.boolean(),
});
const viewValue = fc.record({
  id: small,
  members: fc.array(pid, { maxLength: 5 }),
  groups: fc.array(group, { maxLength: 3 }),
  joined: fc.array(pid, { maxLength: 2 }),
  left: fc.array(pid, { maxLength: 2 }),
  failed: fc.array(pid, { maxLength: 2 }),
  serviceSize: fc.integer({ min: 1, max: 9 }),
  flush: fc.array(record, { maxLength: 3 }),
});
const body = fc.oneof(
  fc.record({ kind: fc.constant('heartbeat' as const), viewId: small }),
  fc.record({ kind: fc.constant('linkAck' as const) }),
  fc.record({ kind: fc.constant('joinRequest' as const), joiner: pid }),
  fc.record({ kind: fc.constant('notMember' as const), viewId: small }),
  fc.record({
    kind: fc.constant('suspect' as const),
    viewId: small,
    suspects: fc.array(pid, { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('leaveSystem' as const), viewId: small }),
  fc.record({
    kind: fc.constant('groupChange' as const),
    member: pid,
    group: fc.string(),
    join: fc.boolean(),
    secured: fc.boolean(),
    sponsored: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('groupProof' as const), group: fc.string(), proof: fc.uint8Array() }),
  fc.record({ kind: fc.constant('groupRefused' as const), group: fc.string(), proof: fc.boolean() }),
  fc.record({ kind: fc.constant('flush' as const), viewId: small, ballot }),
  fc.record({
    kind: fc.constant('flushOk' as const),
    viewId: small,
    ballot,
    accepted: fc.option(fc.record({ ballot, value: viewValue }), { nil: null }),
    records: fc.array(record, { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('nack' as const), viewId: small, promised: ballot }),
  fc.record({ kind: fc.constant('propose' as const), viewId: small, ballot, value: viewValue }),
  fc.record({ kind: fc.constant('proposeOk' as const), viewId: small, ballot }),
  fc.record({ kind: fc.constant('commit' as const), value: viewValue }),
  fc.record({
    kind: fc.constant('groupAck' as const),
    group: fc.string(),
    epoch: small,
    received: fc.array(small, { maxLength: 7 }),
  }),
  fc.record({ kind: fc.constant('orderRequest' as const), group: fc.string(), epoch: small, count: uint }),
  fc.record({
    kind: fc.constant('orderGrant' as const),
    group: fc.string(),
    epoch: small,
    first: uint,
    count: uint,
  }),
  fc.record({
    kind: fc.constant('p2p' as const),
    group: fc.string(),
    queryId: uint,
    payload: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('queryReply' as const),
    group: fc.string(),
    queryId: uint,
    outcome: fc.constantFrom('value' as const, 'null' as const, 'abort' as const),
    payload: fc.uint8Array({ maxLength: 64 }),
  }),
);
const envelope = { from: pid, toIncarnation: uint, linkSeq: uint, linkAck: uint };
/** A packed data message: consecutive own records of one group and epoch, the sender being the envelope's `from`. */
const packed: fc.Arbitrary<WireMessage> = fc
  .record({
    ...envelope,
    group: fc.string({ maxLength: 20 }),
    epoch: small,
    firstSeq: small,
    items: fc.array(
      fc.record({
        ordering: fc.constantFrom('fifo' as const, 'total' as const),
        lamport: uint,
        payload: fc.uint8Array({ maxLength: 64 }),
        queryId: fc.oneof(fc.constant(0), uint),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ group, epoch, firstSeq, items, ...head }) => ({
    ...head,
    body: {
      kind: 'data' as const,
      records: items.map((item, i) => ({ group, sender: head.from, epoch, seq: firstSeq + i, ...item })),
    },
  }));
const message: fc.Arbitrary<WireMessage> = fc.oneof(fc.record({ ...envelope, body }), packed);

function decodeOutcome(bytes: Uint8Array): 'ok' | 'decode-error' {
  try {
    decodeMessage(bytes);
    return 'ok';
  } catch (error) {
    if (error instanceof DecodeError) return 'decode-error';
    throw error;
  }
}

describe('message codec', () => {
  it('round-trips every message kind exactly', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeMessage(encodeMessage(m))).toEqual(m);
      }),
      { numRuns: 2_000 },
    );
  });

  it('encodes a message in parts to the same bytes as whole', () => {
    fc.assert(
      fc.property(message, (m) => {
        const parts = encodeMessageParts(m);
        const joined = parts instanceof Uint8Array ? parts : Uint8Array.from([...parts[0], ...parts[1]]);
        expect(joined).toEqual(encodeMessage(m));
        expect(parts instanceof Uint8Array).toBe(m.body.kind !== 'data');
      }),
      { numRuns: 500 },
    );
  });

  it('writes data bodies of the largest numbers and multi-byte group names, one after another, intact', () => {
    const from = { address: 'b:1', incarnation: Number.MAX_SAFE_INTEGER };
    const pack = (group: string, payloadBytes: number, fill: number): WireMessage => ({
      from,
      toIncarnation: 1,
      linkSeq: Number.MAX_SAFE_INTEGER,
      linkAck: 0,
      body: {
        kind: 'data',
        records: [0, 1, 2].map((i) => ({
          group,
          sender: from,
          epoch: Number.MAX_SAFE_INTEGER,
          seq: Number.MAX_SAFE_INTEGER - 3 + i,
          ordering: 'total' as const,
          lamport: Number.MAX_SAFE_INTEGER,
          payload: new Uint8Array(payloadBytes).fill(fill + i),
          queryId: i === 1 ? Number.MAX_SAFE_INTEGER : 0,
        })),
      },
    });
    // Each body is written straight into an array sized for the most it could take, whose unused tail the next
    // one reuses: every earlier result must survive the later ones.
    const messages = [pack('grüße-𝔤𝔯𝔬𝔲𝔭-東京', 1024, 1), pack('g', 0, 10), pack('x'.repeat(300), 70_000, 20)];
    const encoded = messages.map((m) => {
      const parts = encodeMessageParts(m) as readonly [Uint8Array, Uint8Array];
      return Uint8Array.from([...parts[0], ...parts[1]]);
    });
    encoded.forEach((bytes, i) => expect(decodeMessage(bytes)).toEqual(messages[i]));
  });

  it('decodes each sender address to its own string however many addresses share the intern table slots', () => {
    const heartbeat = (address: string): WireMessage => ({
      from: { address, incarnation: 1 },
      toIncarnation: 0,
      linkSeq: 0,
      linkAck: 0,
      body: { kind: 'heartbeat', viewId: 1 },
    });
    const addresses = Array.from({ length: 1_000 }, (_, i) => `10.0.${i % 7}.${i}:${7000 + i}`);
    for (const address of [...addresses, ...addresses.reverse(), 'ä-not-ascii:1', ''])
      expect(decodeMessage(encodeMessage(heartbeat(address))).from.address).toBe(address);
  });

  it('starts every message with the wire version', () => {
    fc.assert(fc.property(message, (m) => encodeMessage(m)[0] === WIRE_VERSION));
  });

  it('answers random garbage with DecodeError and never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void decodeOutcome(bytes)),
      { numRuns: 5_000 },
    );
  });

  it('answers every truncation of a valid message with DecodeError', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        for (let cut = 0; cut < bytes.length; cut++)
          expect(decodeOutcome(bytes.subarray(0, cut))).toBe('decode-error');
      }),
      { numRuns: 300 },
    );
  });

  it('answers corrupted bytes with a message or DecodeError, never another exception', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 0, max: 255 }), (m, at, value) => {
        const bytes = Uint8Array.from(encodeMessage(m));
        bytes[at % bytes.length] = value;
        decodeOutcome(bytes);
      }),
      { numRuns: 3_000 },
    );
  });

  it('refuses another wire version, trailing bytes and an unknown kind, naming the problem', () => {
    const m: WireMessage = {
      from: { address: 'a:1', incarnation: 1 },
      toIncarnation: 0,
      linkSeq: 0,
      linkAck: 0,
      body: { kind: 'linkAck' },
    };
    const bytes = encodeMessage(m);
    expect(() => decodeMessage(Uint8Array.from([WIRE_VERSION + 1, ...bytes.subarray(1)]))).toThrow(
      /wire version/,
    );
    expect(() => decodeMessage(Uint8Array.from([...bytes, 0]))).toThrow(/unexpected bytes/);
    expect(() => decodeMessage(Uint8Array.from([WIRE_VERSION, 99]))).toThrow(/unknown message kind/);
    expect(() => decodeMessage(new Uint8Array(0))).toThrow(DecodeError);
  });

  it('refuses to pack records that are not consecutive own records of one group and epoch', () => {
    const from = { address: 'a:1', incarnation: 1 };
    const record = (seq: number, sender = from) => ({
      group: 'g',
      sender,
      epoch: 3,
      seq,
      ordering: 'total' as const,
      lamport: seq,
      payload: new Uint8Array([seq]),
      queryId: 0,
    });
    const pack = (records: ReturnType<typeof record>[]): WireMessage => ({
      from,
      toIncarnation: 1,
      linkSeq: 1,
      linkAck: 0,
      body: { kind: 'data', records },
    });
    expect(() => encodeMessage(pack([record(1), record(3)]))).toThrow(/consecutive own records/);
    expect(() => encodeMessage(pack([record(1, { address: 'b:1', incarnation: 1 })]))).toThrow(
      /consecutive own records/,
    );
    expect(() => encodeMessage(pack([]))).toThrow(/at least one record/);
    const decoded = decodeMessage(encodeMessage(pack([record(7), record(8)])));
    expect(decoded.body.kind === 'data' && decoded.body.records.map((r) => [r.seq, r.sender])).toEqual([
      [7, from],
      [8, from],
    ]);
  });

  it('refuses an array length that cannot fit in the remaining bytes before allocating it', () => {
    // suspect message whose suspects array claims 2^40 entries
    const m: WireMessage = {
      from: { address: 'a', incarnation: 1 },
      toIncarnation: 0,
      linkSeq: 0,
      linkAck: 0,
      body: { kind: 'suspect', viewId: 1, suspects: [] },
    };
    const bytes = encodeMessage(m);
    const forged = Uint8Array.from([
      ...bytes.subarray(0, bytes.length - 1),
      0x80,
      0x80,
      0x80,
      0x80,
      0x80,
      0x20,
    ]);
    expect(() => decodeMessage(forged)).toThrow(/claims/);
  });
});

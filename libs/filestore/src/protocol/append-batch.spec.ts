import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileStoreRecordError } from '../errors';
import { frameBatchInto, framedBytes, framesOfBatch } from '../storage/frame-batch';
import { maxBodyBytesFor, parseFrame } from '../storage/record-frame';
import { encodeBatch, scanBatch, validateRecords } from './append-batch';
import { nextHlc } from './hlc';

const bounds = { maxRecordBytes: 64, maxBatchRecords: 10, maxBatchBytes: 400 };
const first = { wallMs: 7, logical: 0xffff_fffe };

function framesOf(bytes: Uint8Array) {
  const batch = framesOfBatch(bytes, 40, first, bounds);
  const records = [];
  for (let at = 0; at < batch.bytes.length;) {
    const parsed = parseFrame(batch.bytes, at, maxBodyBytesFor(bounds.maxRecordBytes));
    if (parsed.kind !== 'record') throw new Error(`frame at ${at}: ${parsed.kind}`);
    records.push(parsed.record);
    at = parsed.end;
  }
  return { batch, records };
}

describe('append batches', () => {
  it('become the frames on disk with consecutive seqs and server times, user times and bytes kept', () => {
    const record = fc.record({
      userTimeNs: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
      data: fc.uint8Array({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 10 }), (input) => {
        const { batch, records } = framesOf(encodeBatch(input, validateRecords(input, bounds)));
        expect(records.map((r) => [r.userTimeNs, [...r.data]])).toEqual(
          input.map((r) => [r.userTimeNs, [...r.data]]),
        );
        expect(records.map((r) => r.seq)).toEqual(input.map((_, i) => 40 + i));
        let stamp = first;
        records.forEach((r, i) => {
          if (i > 0) stamp = nextHlc(stamp);
          expect(r.serverTime).toEqual(stamp);
        });
        expect(batch).toMatchObject({
          count: input.length,
          firstSeq: 40,
          lastSeq: 39 + input.length,
          lastStamp: stamp,
        });
        expect(batch.minUserTimeNs).toBe(
          input.reduce((m, r) => (r.userTimeNs < m ? r.userTimeNs : m), input[0].userTimeNs),
        );
      }),
    );
  });

  it('frame into a part of a larger buffer alike, leaving the bytes around it as they were', () => {
    const record = fc.record({
      userTimeNs: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
      data: fc.uint8Array({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 10 }), fc.nat(64), (input, offset) => {
        const bytes = encodeBatch(input, validateRecords(input, bounds));
        const alone = framesOfBatch(bytes, 40, first, bounds).bytes;
        const summary = scanBatch(bytes, bounds);
        const whole = Buffer.alloc(offset + framedBytes(summary) + 16, 0xa5);
        const into = whole.subarray(offset, offset + framedBytes(summary));
        frameBatchInto(into, bytes, summary, 40, first);
        expect(Buffer.compare(into, alone)).toBe(0);
        expect(whole.subarray(0, offset).every((b) => b === 0xa5)).toBe(true);
        expect(whole.subarray(offset + into.length).every((b) => b === 0xa5)).toBe(true);
      }),
    );
  });

  it('refuse bounds broken and bytes cut short, naming what is wrong', () => {
    const one = { userTimeNs: 1n, data: new Uint8Array(4) };
    expect(() => validateRecords([], bounds)).toThrow(/at least one record/);
    expect(() => validateRecords(Array(11).fill(one), bounds)).toThrow(/maxBatchRecords/);
    expect(() => validateRecords([{ userTimeNs: 1n, data: new Uint8Array(65) }], bounds)).toThrow(
      /maxRecordBytes/,
    );
    expect(() =>
      validateRecords(Array(7).fill({ userTimeNs: 1n, data: new Uint8Array(60) }), bounds),
    ).toThrow(/maxBatchBytes/);
    expect(() => validateRecords([{ userTimeNs: 1n << 63n, data: new Uint8Array(1) }], bounds)).toThrow(
      /records\[0\]\.userTimeNs/,
    );
    expect(() => validateRecords([{ userTimeNs: 1n, data: 'x' as unknown as Uint8Array }], bounds)).toThrow(
      /records\[0\]\.data: must be a Uint8Array/,
    );
    const bytes = encodeBatch([one], validateRecords([one], bounds));
    expect(() => framesOfBatch(bytes.subarray(0, bytes.length - 1), 0, first, bounds)).toThrow(
      FileStoreRecordError,
    );
    expect(() => framesOfBatch(bytes.subarray(0, 5), 0, first, bounds)).toThrow(/truncated/);
    expect(() => framesOfBatch(new Uint8Array(0), 0, first, bounds)).toThrow(/at least one record/);
    const negative = Buffer.from(bytes);
    negative.writeBigInt64BE(-5n, 0);
    expect(() => framesOfBatch(negative, 0, first, bounds)).toThrow(
      /records\[0\]\.userTimeNs: is outside 0..2\^63-1 ns/,
    );
    const longRecord = Buffer.from(bytes);
    longRecord.writeUInt32BE(65, 8);
    expect(() => scanBatch(longRecord, bounds)).toThrow(/records\[0\]\.data: 65 bytes, at most 64/);
    expect(() => scanBatch(encodeBatch(Array(11).fill(one), 11 * 16), bounds)).toThrow(/maxBatchRecords/);
    expect(() => scanBatch(new Uint8Array(401), bounds)).toThrow(/maxBatchBytes/);
  });
});

import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileStoreRecordError } from '../errors';
import { framesOfBatch } from '../storage/frame-batch';
import { parseFrame, recordsOf } from '../storage/record-frame';
import { encodeBatch, scanBatch, validateRecords } from './append-batch';
import { nextHlc } from './hlc';

const bounds = { maxRecordBytes: 64, maxBatchRecords: 10, maxBatchBytes: 400 };
const first = { wallMs: 7, logical: 0xffff_fffe };

function framesOf(bytes: Uint8Array) {
  const batch = framesOfBatch(bytes, 40, first, bounds);
  const written = Buffer.concat(batch.chunks);
  expect(written.length).toBe(batch.byteLength);
  const parsed = parseFrame(written, 0);
  if (parsed.kind !== 'frame') throw new Error(`frame: ${parsed.kind}`);
  expect(parsed.end).toBe(written.length);
  expect(parsed.frame).toMatchObject({
    count: batch.count,
    dataBytes: batch.dataBytes,
    lastSeq: batch.lastSeq,
    lastStamp: batch.lastStamp,
    minUserTimeNs: batch.minUserTimeNs,
  });
  return { batch, records: [...recordsOf(parsed.frame)] };
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

  it('are written as they came behind a header, and a damaged byte anywhere fails the frame check', () => {
    const record = fc.record({
      userTimeNs: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
      data: fc.uint8Array({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 10 }), fc.nat(), (input, pick) => {
        const bytes = encodeBatch(input, validateRecords(input, bounds));
        const batch = framesOfBatch(bytes, 40, first, bounds);
        expect(batch.chunks[batch.chunks.length - 1]).toBe(bytes);
        const written = Buffer.concat(batch.chunks);
        const at = pick % written.length;
        written[at] ^= 0x5a;
        expect(parseFrame(written, 0).kind).not.toBe('frame');
      }),
    );
  });

  it('as frames read back from any bytes, never throw: a frame or a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, seed) => {
        const buf = Buffer.from(bytes);
        // Half the cases get a valid CRC over what follows a plausible length, so the layout check is reached.
        if (buf.length >= 8 && seed % 2 === 0) {
          buf.writeUInt32LE(buf.length - 8, 0);
          buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
        }
        const parsed = parseFrame(buf, 0);
        if (parsed.kind === 'frame') {
          const records = [...recordsOf(parsed.frame)];
          expect(records.length).toBe(parsed.frame.count);
          expect(records.reduce((n, r) => n + r.data.length, 0)).toBe(parsed.frame.dataBytes);
        } else expect(['incomplete', 'corrupt']).toContain(parsed.kind);
      }),
      { numRuns: 2000 },
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

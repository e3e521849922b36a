import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileStoreRecordError } from '../errors';
import { decodeBatch, encodeBatch, validateRecords } from './append-batch';

const bounds = { maxRecordBytes: 64, maxBatchRecords: 10, maxBatchBytes: 400 };

describe('append batches', () => {
  it('decode what they encode', () => {
    const record = fc.record({
      userTimeNs: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
      data: fc.uint8Array({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 10 }), (records) => {
        const bytes = validateRecords(records, bounds);
        const decoded = decodeBatch(encodeBatch(records, bytes), bounds);
        expect(decoded.map((r) => [r.userTimeNs, [...r.data]])).toEqual(
          records.map((r) => [r.userTimeNs, [...r.data]]),
        );
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
    expect(() => decodeBatch(bytes.subarray(0, bytes.length - 1), bounds)).toThrow(FileStoreRecordError);
    expect(() => decodeBatch(bytes.subarray(0, 5), bounds)).toThrow(/truncated/);
  });
});

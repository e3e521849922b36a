import { describe, expect, it } from 'vitest';
import { FileStoreRequestError } from './errors';
import { decodeRecordBatch, encodeRecordBatch, encodeStoredRecord, StoredRecordReader } from './record-wire';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('record batch (append body)', () => {
  it('round-trips records, empty data included', () => {
    const records = [
      { userTimeNs: 1_733_137_200_000_000_001n, data: bytes('frame one') },
      { userTimeNs: 0n, data: new Uint8Array(0) },
      { userTimeNs: 2n ** 64n - 1n, data: bytes('x') },
    ];
    const decoded = decodeRecordBatch(encodeRecordBatch(records), 10);
    expect(decoded.map((r) => [r.userTimeNs, Buffer.from(r.data).toString()])).toEqual(
      records.map((r) => [r.userTimeNs, Buffer.from(r.data).toString()]),
    );
  });

  it('names the truncated record', () => {
    const body = encodeRecordBatch([
      { userTimeNs: 5n, data: bytes('abc') },
      { userTimeNs: 6n, data: bytes('defg') },
    ]);
    expect(() => decodeRecordBatch(body.subarray(0, body.byteLength - 1), 10)).toThrow(
      'record 1: says 4 data bytes, 3 remain',
    );
    expect(() => decodeRecordBatch(body.subarray(0, 20), 10)).toThrow('record 1: truncated header (5 bytes)');
  });

  it('refuses more records than the bound, as 413', () => {
    const body = encodeRecordBatch([1n, 2n, 3n].map((t) => ({ userTimeNs: t, data: bytes('r') })));
    let caught: unknown;
    try {
      decodeRecordBatch(body, 2);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FileStoreRequestError);
    expect((caught as FileStoreRequestError).status).toBe(413);
  });
});

describe('stored record stream (read body)', () => {
  const stored = [
    {
      path: 'pmu/7/2026-12-02T11',
      seq: 0,
      userTimeNs: 10n,
      serverTime: { wallMs: 1_733_137_200_123, logical: 4 },
      data: bytes('a'),
    },
    {
      path: 'é/b',
      seq: 2 ** 40,
      userTimeNs: 11n,
      serverTime: { wallMs: 1, logical: 0 },
      data: bytes('bcdefgh'),
    },
  ];

  it('decodes frames split at every byte boundary', () => {
    const stream = Buffer.concat(stored.map(encodeStoredRecord));
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      const reader = new StoredRecordReader(1024);
      const out = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      reader.end();
      expect(out).toEqual(stored);
    }
  });

  it('refuses a frame over maxFrameBytes before buffering it, and a stream ending mid-frame', () => {
    const frame = encodeStoredRecord(stored[1]);
    expect(() => new StoredRecordReader(frame.byteLength - 1).push(frame.subarray(0, 40))).toThrow(
      'exceeds maxFrameBytes',
    );
    const reader = new StoredRecordReader(1024);
    reader.push(frame.subarray(0, 5));
    expect(() => reader.end()).toThrow('ended inside a record (5 bytes left)');
  });
});

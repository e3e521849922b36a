import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  encodeRecordBatch,
  FileStoreRequestError,
  NDJSON_CONTENT_TYPE,
  RECORD_BATCH_CONTENT_TYPE,
} from '@gridcloud/filestore';
import { decodeAppendBody, encodedAppendOf, readBody } from './append-body';

const limits = { maxBodyBytes: 1 << 20, maxBatchRecords: 3 };
const text = (data: Uint8Array): string => Buffer.from(data).toString();

function request(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
}

function refusal(f: () => unknown): FileStoreRequestError {
  try {
    f();
  } catch (error) {
    if (error instanceof FileStoreRequestError) return error;
    throw error;
  }
  throw new Error('expected a FileStoreRequestError');
}

describe('readBody', () => {
  it('refuses a declared length over the bound before reading, and a chunked body once it passes it', async () => {
    await expect(readBody(request([Buffer.alloc(10)], { 'content-length': '2000' }), 1024)).rejects.toThrow(
      'the body has 2000 bytes or more, over --max-body-bytes 1024',
    );
    await expect(readBody(request([Buffer.alloc(600), Buffer.alloc(600)]), 1024)).rejects.toMatchObject({
      status: 413,
    });
    expect((await readBody(request([Buffer.from('ab'), Buffer.from('c')]), 1024)).toString()).toBe('abc');
  });
});

describe('decodeAppendBody', () => {
  it('reads the binary batch', () => {
    const body = Buffer.from(encodeRecordBatch([{ userTimeNs: 9n, data: Buffer.from('frame') }]));
    const [r] = decodeAppendBody(RECORD_BATCH_CONTENT_TYPE, body, undefined, limits);
    expect([r.userTimeNs, text(r.data)]).toEqual([9n, 'frame']);
  });

  it('reads NDJSON and JSON arrays, data as base64 or text', () => {
    const ndjson =
      '{"userTime":"5ns","text":"a"}\n\n{"userTime":"1970-01-01T00:00:00.000000006Z","data":"Yg=="}\n';
    const fromNdjson = decodeAppendBody(
      `${NDJSON_CONTENT_TYPE}; charset=utf-8`,
      Buffer.from(ndjson),
      undefined,
      limits,
    );
    expect(fromNdjson.map((r) => [r.userTimeNs, text(r.data)])).toEqual([
      [5n, 'a'],
      [6n, 'b'],
    ]);
    const fromJson = decodeAppendBody(
      'application/json',
      Buffer.from('[{"userTime":"1ms","text":"c"}]'),
      undefined,
      limits,
    );
    expect(fromJson.map((r) => [r.userTimeNs, text(r.data)])).toEqual([[1_000_000n, 'c']]);
  });

  it('takes any other body as one record at ?userTime / X-User-Time, and says so when the time is missing', () => {
    const [r] = decodeAppendBody('text/plain', Buffer.from('raw'), '2s', limits);
    expect([r.userTimeNs, text(r.data)]).toEqual([2_000_000_000n, 'raw']);
    expect(
      refusal(() => decodeAppendBody(undefined, Buffer.from('raw'), undefined, limits)).message,
    ).toContain('a one-record append needs its time (?userTime= or X-User-Time)');
  });

  it.each([
    ['{"userTime":"5","text":"a"}', "line 1: userTime: '5' is not a time"],
    ['{"userTime":5,"text":"a"}', 'line 1: userTime must be a string'],
    ['{"userTime":"5ns","data":"!!"}', 'line 1: data is not base64'],
    ['{"userTime":"5ns","data":"YQ==","text":"a"}', 'line 1: give either data (base64) or text'],
    ['{"userTime":"5ns"', 'line 1: not JSON'],
    ['[1]', 'line 1: expected an object'],
  ])('refuses the NDJSON line %s', (line, message) => {
    expect(
      refusal(() => decodeAppendBody(NDJSON_CONTENT_TYPE, Buffer.from(line), undefined, limits)).message,
    ).toContain(message);
  });

  it('refuses an empty batch (400) and more records than --max-batch-records (413)', () => {
    expect(
      refusal(() => decodeAppendBody(NDJSON_CONTENT_TYPE, Buffer.from('\n'), undefined, limits)).status,
    ).toBe(400);
    const four = Array.from({ length: 4 }, () => '{"userTime":"1ns","text":"x"}').join('\n');
    expect(
      refusal(() => decodeAppendBody(NDJSON_CONTENT_TYPE, Buffer.from(four), undefined, limits)).status,
    ).toBe(413);
    expect(
      refusal(() =>
        decodeAppendBody(
          'application/json',
          Buffer.from(`[${four.replaceAll('\n', ',')}]`),
          undefined,
          limits,
        ),
      ).status,
    ).toBe(413);
  });
});

describe('encodedAppendOf', () => {
  it('passes a binary batch on as it came, and encodes the other forms into the same layout', () => {
    const records = [
      { userTimeNs: 9n, data: Buffer.from('frame') },
      { userTimeNs: 10n, data: Buffer.from('xy') },
    ];
    const body = Buffer.from(encodeRecordBatch(records));
    const binary = encodedAppendOf(RECORD_BATCH_CONTENT_TYPE, body, undefined, limits);
    expect(binary).toEqual({ batch: body, records: 2, dataBytes: 7 });
    expect(binary.batch).toBe(body);
    const ndjson = '{"userTime":"9ns","text":"frame"}\n{"userTime":"10ns","text":"xy"}\n';
    const fromNdjson = encodedAppendOf(NDJSON_CONTENT_TYPE, Buffer.from(ndjson), undefined, limits);
    expect(Buffer.from(fromNdjson.batch)).toEqual(body);
  });

  it('refuses an empty, truncated or overlong binary batch with the status naming why', () => {
    const empty = Buffer.alloc(0);
    expect(refusal(() => encodedAppendOf(RECORD_BATCH_CONTENT_TYPE, empty, undefined, limits)).message).toBe(
      'the append holds no records',
    );
    const body = Buffer.from(encodeRecordBatch([{ userTimeNs: 1n, data: Buffer.from('abc') }]));
    const cut = body.subarray(0, body.length - 1);
    expect(refusal(() => encodedAppendOf(RECORD_BATCH_CONTENT_TYPE, cut, undefined, limits)).message).toBe(
      'record 0: says 3 data bytes, 2 remain',
    );
    const four = Buffer.concat([body, body, body, body]);
    expect(refusal(() => encodedAppendOf(RECORD_BATCH_CONTENT_TYPE, four, undefined, limits)).status).toBe(
      413,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { decodeLog, encodeLogRecord, RECORD_HEADER_BYTES } from './safe-log-format';

const entry = (seq: number, text: string) => ({
  epoch: 3,
  lamport: 10 + seq,
  seq,
  sender: { address: '127.0.0.1:7001', incarnation: 1_733_000_000_000 },
  payload: new TextEncoder().encode(text),
});

describe('safe log format', () => {
  it('reads back what it wrote, in order', () => {
    const bytes = Buffer.concat([encodeLogRecord(entry(1, 'a')), encodeLogRecord(entry(2, 'bb'))]);
    const log = decodeLog(bytes);
    expect(log.entries.map((e) => [e.seq, new TextDecoder().decode(e.payload)])).toEqual([
      [1, 'a'],
      [2, 'bb'],
    ]);
    expect(log.entries[0].sender).toEqual(entry(1, 'a').sender);
    expect(log.droppedBytes).toBe(0);
  });

  it('drops a torn tail: a record cut short by a crash mid-write', () => {
    const whole = encodeLogRecord(entry(1, 'a'));
    const torn = encodeLogRecord(entry(2, 'a longer payload')).subarray(0, RECORD_HEADER_BYTES + 5);
    const log = decodeLog(Buffer.concat([whole, torn]));
    expect(log.entries.map((e) => e.seq)).toEqual([1]);
    expect(log.goodBytes).toBe(whole.length);
    expect(log.droppedBytes).toBe(torn.length);
  });

  it('drops a record whose CRC does not match, and everything after it', () => {
    const second = encodeLogRecord(entry(2, 'bb'));
    second[second.length - 1] ^= 0xff;
    const log = decodeLog(
      Buffer.concat([encodeLogRecord(entry(1, 'a')), second, encodeLogRecord(entry(3, 'c'))]),
    );
    expect(log.entries.map((e) => e.seq)).toEqual([1]);
  });
});

import { describe, expect, it } from 'vitest';
import { FileStorePathError, FileStoreRecordError } from '../errors';
import {
  commitArgs,
  commitEntries,
  commitEntryBytes,
  encodeCommitReply,
  entryReplyOf,
  MAX_COMMIT_APPENDS_LIMIT,
} from './append-commit';

const batch = (n: number): Uint8Array => new Uint8Array(n).fill(7);

describe('group commits', () => {
  it('travel as the proposed time then (path, batch) pairs, and come back as the same entries', () => {
    const entries = [
      { path: 'pmu/1', batch: batch(3) },
      { path: 'pmu/2/hour-0', batch: batch(5) },
    ];
    const args = commitArgs(12, 3, entries);
    expect(args.slice(0, 2)).toEqual([12, 3]);
    expect(commitEntries(args.slice(2))).toEqual(entries);
  });

  it('hand a Buffer batch (an HTTP body) over as a plain Uint8Array of the same bytes, not a copy', () => {
    // vsync's plain argument layout takes exactly Uint8Array; a Buffer would go through V8's structured clone.
    const body = Buffer.from([0, 1, 2, 3, 4, 5]).subarray(1, 5);
    const [, , , sent] = commitArgs(1, 0, [{ path: 'pmu/1', batch: body }]) as [
      number,
      number,
      string,
      Uint8Array,
    ];
    expect(sent.constructor).toBe(Uint8Array);
    expect(sent.buffer).toBe(body.buffer);
    expect([...sent]).toEqual([1, 2, 3, 4]);
  });

  it('count path bytes in UTF-8 and the tags and lengths of both arguments', () => {
    expect(commitEntryBytes('abc', batch(10))).toBe(5 + 3 + 5 + 10);
    expect(commitEntryBytes('é', batch(0))).toBe(5 + 2 + 5);
  });

  it('hold 1..MAX_COMMIT_APPENDS_LIMIT appends, within vsync plain layout of at most 255 arguments', () => {
    expect(2 + 2 * MAX_COMMIT_APPENDS_LIMIT).toBeLessThanOrEqual(255);
    expect(() => commitArgs(1, 0, [])).toThrow(RangeError);
    const many = Array.from({ length: MAX_COMMIT_APPENDS_LIMIT + 1 }, () => ({ path: 'a', batch: batch(1) }));
    expect(() => commitArgs(1, 0, many)).toThrow(/1\.\.126 appends/);
  });

  it('refuse a delivered commit with a malformed entry, naming it', () => {
    expect(() => commitEntries([])).toThrow(FileStoreRecordError);
    expect(() => commitEntries(['a'])).toThrow(/pairs/);
    expect(() => commitEntries(['a', batch(1), 3, batch(1)])).toThrow(/commit\[1\]\.path/);
    expect(() => commitEntries(['a', 'not bytes'])).toThrow(/commit\[0\]\.batch/);
    expect(() => commitEntries(['a/../b', batch(1)])).toThrow(FileStorePathError);
  });

  it("answer per append in the commit's order, and a short answer is an error", () => {
    const a = { firstSeq: 0, first: { wallMs: 5, logical: 0 }, last: { wallMs: 5, logical: 9 } };
    const b = { firstSeq: 10, first: { wallMs: 5, logical: 10 }, last: { wallMs: 6, logical: 0 } };
    const reply = encodeCommitReply([a, b]);
    expect(entryReplyOf(reply, 0)).toEqual(a);
    expect(entryReplyOf(reply, 1)).toEqual(b);
    expect(() => entryReplyOf(reply, 2)).toThrow(/no result for append 2/);
    expect(() => entryReplyOf('x', 0)).toThrow(RangeError);
  });
});

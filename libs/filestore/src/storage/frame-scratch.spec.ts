import { describe, expect, it } from 'vitest';
import { FrameScratch } from './frame-scratch';

// Sizes past Node's 4 KiB pool threshold, so each buffer has an ArrayBuffer of its own.
const KIB = 1024;

describe('FrameScratch', () => {
  it('hands out one buffer, grown to the largest need and reused', () => {
    const scratch = new FrameScratch(1024 * KIB);
    const a = scratch.take(100 * KIB);
    const b = scratch.take(60 * KIB);
    expect(a.length).toBe(100 * KIB);
    expect(b.length).toBe(60 * KIB);
    expect(b.buffer).toBe(a.buffer);
    const c = scratch.take(300 * KIB);
    expect(c.length).toBe(300 * KIB);
    expect(scratch.take(10).buffer).toBe(c.buffer);
  });

  it('gives a need past its bound a buffer of its own, not kept', () => {
    const scratch = new FrameScratch(64 * KIB);
    const kept = scratch.take(64 * KIB);
    const large = scratch.take(65 * KIB);
    expect(large.length).toBe(65 * KIB);
    expect(large.buffer).not.toBe(kept.buffer);
    expect(scratch.take(1).buffer).toBe(kept.buffer);
  });
});

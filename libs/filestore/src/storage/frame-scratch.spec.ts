import { describe, expect, it } from 'vitest';
import { FrameScratch } from './frame-scratch';

describe('FrameScratch', () => {
  it('hands out one buffer, grown to the largest need and reused', () => {
    const scratch = new FrameScratch(1024);
    const a = scratch.take(100);
    const b = scratch.take(60);
    expect(a.length).toBe(100);
    expect(b.length).toBe(60);
    expect(b.buffer).toBe(a.buffer);
    const c = scratch.take(300);
    expect(c.length).toBe(300);
    expect(scratch.take(10).buffer).toBe(c.buffer);
  });

  it('gives a need past its bound a buffer of its own, not kept', () => {
    const scratch = new FrameScratch(64);
    const kept = scratch.take(64);
    const large = scratch.take(65);
    expect(large.length).toBe(65);
    expect(large.buffer).not.toBe(kept.buffer);
    expect(scratch.take(1).buffer).toBe(kept.buffer);
  });
});

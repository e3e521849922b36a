import { describe, expect, it } from 'vitest';
import { HeldBytesBudget, TcpReassembler } from './tcp-reassembler';

function harness(maxOutOfOrderBytes = 1000): { r: TcpReassembler; out: string[] } {
  const out: string[] = [];
  const r = new TcpReassembler(
    { maxOutOfOrderBytes },
    {
      data: (b) => out.push(Buffer.from(b).toString()),
      gap: (n) => out.push(`<gap ${n}>`),
      retransmission: (b) => out.push(`<re ${Buffer.from(b).toString()}>`),
    },
  );
  return { r, out };
}

const seg = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('TcpReassembler', () => {
  it('starts after the SYN and delivers in order', () => {
    const { r, out } = harness();
    r.segment(99, true, new Uint8Array(0));
    r.segment(100, false, seg('abc'));
    r.segment(103, false, seg('def'));
    expect(out.join('')).toBe('abcdef');
  });

  it('reorders out-of-order segments', () => {
    const { r, out } = harness();
    r.segment(100, false, seg('abc'));
    r.segment(106, false, seg('ghi'));
    r.segment(103, false, seg('def'));
    expect(out.join('')).toBe('abcdefghi');
    expect(r.counters.outOfOrderSegments).toBe(1);
  });

  it('delivers a retransmitted segment once and only the new part of an overlapping one', () => {
    const { r, out } = harness();
    r.segment(100, false, seg('abc'));
    r.segment(100, false, seg('abc'));
    r.segment(101, false, seg('bcdef'));
    expect(out).toEqual(['abc', '<re abc>', 'def']);
    expect(r.counters.retransmittedBytes).toBe(5);
  });

  it('declares a gap when the out-of-order bound is exceeded, and at the end of capture', () => {
    const { r, out } = harness(4);
    r.segment(100, false, seg('ab'));
    r.segment(110, false, seg('xyz'));
    r.segment(120, false, seg('12'));
    expect(out).toEqual(['ab', '<gap 8>', 'xyz']);
    r.finish();
    expect(out).toEqual(['ab', '<gap 8>', 'xyz', '<gap 7>', '12']);
    expect(r.counters.gaps).toBe(2);
  });

  it('handles sequence number wrap-around', () => {
    const { r, out } = harness();
    r.segment(0xfffffffe, false, seg('ab'));
    r.segment(2, false, seg('ef'));
    r.segment(0, false, seg('cd'));
    expect(out.join('')).toBe('abcdef');
  });

  it('refuses a negative out-of-order bound', () => {
    expect(() => harness(-1)).toThrow(/maxOutOfOrderBytes/);
  });

  it('keeps the out-of-order bytes of several flows within a shared budget, declaring gaps past it', () => {
    const budget = new HeldBytesBudget(5);
    const flows = [0, 1].map(() => {
      const out: string[] = [];
      const r = new TcpReassembler(
        { maxOutOfOrderBytes: 1000, heldBytes: budget },
        { data: (b) => out.push(Buffer.from(b).toString()), gap: (n) => out.push(`<gap ${n}>`) },
      );
      r.segment(100, false, seg('a'));
      return { r, out };
    });
    flows[0].r.segment(105, false, seg('xyz'));
    expect(budget.usedBytes).toBe(3);
    flows[1].r.segment(105, false, seg('uvw'));
    expect(flows[1].out.join('')).toBe('a<gap 4>uvw');
    expect(budget.usedBytes).toBe(3);
    flows[0].r.segment(101, false, seg('bcde'));
    expect(flows[0].out.join('')).toBe('abcdexyz');
    expect(budget.usedBytes).toBe(0);
  });
});

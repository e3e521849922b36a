import { describe, expect, it } from 'vitest';
import { crcCcitt } from './crc';

describe('crcCcitt', () => {
  it('has the CRC-CCITT (0x1021, init 0xFFFF, unreflected) check value 0x29B1 for "123456789"', () => {
    expect(crcCcitt(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });

  it('covers only the requested window', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    expect(crcCcitt(bytes, 2, 11)).toBe(0x29b1);
  });
});

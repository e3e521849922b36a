import { describe, expect, it } from 'vitest';
import { decodeGroupCall, encodeGroupCall } from './group-payload';

describe('group call encoding', () => {
  it('round-trips the handler id and structured arguments', () => {
    const args = ['Harry', 20.75, { nested: [1, 2n, new Date(0)] }, new Uint8Array([1, 2])];
    expect(decodeGroupCall(encodeGroupCall(0xffff_ffff, args))).toEqual({ handlerId: 0xffff_ffff, args });
  });

  it('rejects bytes that are not a group call with the reason', () => {
    expect(() => decodeGroupCall(new Uint8Array([0, 0, 0]))).toThrow(/shorter than a handler id/);
    expect(() => decodeGroupCall(new Uint8Array([0, 0, 0, 1, 0xff, 0x0f, 0x77]))).toThrow(
      /do not deserialize|not an array/,
    );
  });

  it('rejects handler ids outside u32', () => {
    expect(() => encodeGroupCall(-1, [])).toThrow(/handler id -1/);
    expect(() => encodeGroupCall(2 ** 32, [])).toThrow(RangeError);
  });
});

describe('group call encoding of plain arguments', () => {
  it('round-trips numbers, booleans, null, undefined, strings and Uint8Arrays in the plain layout', () => {
    const args = [
      7,
      -0,
      Number.NaN,
      1.5e300,
      true,
      false,
      null,
      undefined,
      'Grüße',
      '',
      new Uint8Array([0, 255, 3]),
    ];
    const payload = encodeGroupCall(12, args);
    expect(payload[4]).toBe(0x01);
    const decoded = decodeGroupCall(payload);
    expect(decoded).toEqual({ handlerId: 12, args });
    expect(Object.is(decoded.args[1], -0)).toBe(true);
  });

  it('gives the handler its own copy of a byte array', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const payload = encodeGroupCall(1, [bytes]);
    const decoded = decodeGroupCall(payload).args[0] as Uint8Array;
    payload.fill(0);
    expect([...decoded]).toEqual([1, 2, 3]);
  });

  it('gives a handler that asked for views the bytes inside the payload, and only that handler', () => {
    const payload = encodeGroupCall(7, ['path', new Uint8Array([4, 5, 6])]);
    const viewed = decodeGroupCall(payload, (id) => id === 7).args;
    expect(viewed[0]).toBe('path');
    const view = viewed[1] as Uint8Array;
    expect([...view]).toEqual([4, 5, 6]);
    const copied = decodeGroupCall(payload, (id) => id === 8).args[1] as Uint8Array;
    payload.fill(0);
    expect([...view]).toEqual([0, 0, 0]);
    expect([...copied]).toEqual([4, 5, 6]);
  });

  it('falls back to structured clone for anything else, Buffers included', () => {
    for (const arg of [{ a: 1 }, [1], 2n, Buffer.from([1, 2]), new Date(5), 'x'.repeat(5000)]) {
      const payload = encodeGroupCall(3, [arg]);
      expect(payload[4]).toBe(0xff);
      expect(decodeGroupCall(payload).args).toEqual([arg]);
    }
  });

  it('rejects a truncated or malformed plain payload with a RangeError', () => {
    const payload = encodeGroupCall(1, ['hello', 2.5, new Uint8Array(8), true]);
    for (let cut = 5; cut < payload.length; cut++)
      expect(() => decodeGroupCall(payload.subarray(0, cut))).toThrow(RangeError);
    expect(() => decodeGroupCall(new Uint8Array([0, 0, 0, 1, 0x01, 1, 99]))).toThrow(/unknown type tag 99/);
    expect(() => decodeGroupCall(new Uint8Array([0, 0, 0, 1, 0x01, 0, 0]))).toThrow(/unexpected bytes/);
  });
});

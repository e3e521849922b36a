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

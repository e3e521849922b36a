import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AreaResult } from '../engine/area-result';
import { WireFormatError } from '../errors/wire-format-error';
import { decodeCatalog, encodeCatalog } from './catalog-codec';
import { decodeAreaResult, encodeAreaResult } from './result-codec';
import { decodeSnapshot, encodeSnapshot, type SnapshotInput } from './snapshot-codec';

const snapshot: SnapshotInput = {
  slot: 52_000_000_123,
  timeSec: 52_000_000_123 / 30,
  complete: false,
  values: [
    { idcode: 7, stat: 0x0100, freqHz: 60.01, phasors: Float64Array.of(1, -0.5, 0.25, 3e-3) },
    { idcode: 65_535, stat: 0, freqHz: Number.NaN, phasors: new Float64Array(0) },
    { idcode: 9, stat: 2, freqHz: 59.9, phasors: Float64Array.of(Number.NaN, 2) },
  ],
  missing: [11, 12],
};

const result: AreaResult = {
  slot: 42,
  timeSec: 1.4,
  area: 1,
  areaCount: 3,
  busCount: 14,
  catalogVersion: 5,
  buses: Int32Array.of(3, 4, 13),
  own: Uint8Array.of(1, 1, 0),
  vRe: Float64Array.of(1, 0.99, 1.01),
  vIm: Float64Array.of(-0.1, -0.2, -0.3),
  unobservable: Int32Array.of(5),
  removedIdcode: Uint16Array.of(101),
  removedChannel: Uint16Array.of(2),
  openBranches: Int32Array.of(6, 9),
  cost: 12.5,
  degreesOfFreedom: 20,
  badDataRemains: true,
  measurementsUsed: 17,
  computeMs: 0.25,
};

/** Decoding arbitrary bytes either succeeds or throws WireFormatError, never anything else. */
function onlyTypedErrors(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(WireFormatError);
  }
}

describe('snapshot codec', () => {
  it('round-trips every field, NaN values and empty PMUs included', () => {
    const d = decodeSnapshot(encodeSnapshot(snapshot, 3));
    expect([d.slot, d.timeSec, d.complete, d.catalogVersion]).toEqual([
      snapshot.slot,
      snapshot.timeSec,
      false,
      3,
    ]);
    expect([...d.idcodes]).toEqual([7, 65_535, 9]);
    expect([...d.stat]).toEqual([0x0100, 0, 2]);
    expect([...d.phasorStart]).toEqual([0, 2, 2, 3]);
    expect([...d.phasors]).toEqual([1, -0.5, 0.25, 3e-3, Number.NaN, 2]);
    expect([...d.freqHz]).toEqual([60.01, Number.NaN, 59.9]);
    expect([...d.missing]).toEqual([11, 12]);
  });

  it('decodes from an unaligned offset inside a larger buffer', () => {
    const bytes = encodeSnapshot(snapshot, 1);
    const frame = new Uint8Array(bytes.length + 3);
    frame.set(bytes, 3);
    expect([...decodeSnapshot(frame.subarray(3)).phasors.subarray(0, 4)]).toEqual([1, -0.5, 0.25, 3e-3]);
  });

  it('rejects truncated, extended and corrupted encodings with a WireFormatError naming the fault', () => {
    const bytes = encodeSnapshot(snapshot, 1);
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 8))).toThrow(/header implies/);
    expect(() => decodeSnapshot(new Uint8Array(10))).toThrow(WireFormatError);
    const wrongMagic = bytes.slice();
    wrongMagic[0] ^= 0xff;
    expect(() => decodeSnapshot(wrongMagic)).toThrow(/magic/);
    const bigCount = bytes.slice();
    new DataView(bigCount.buffer).setUint32(24, 0xffffffff, true);
    expect(() => decodeSnapshot(bigCount)).toThrow(/pmu count/);
  });

  it('fuzzed bytes and fuzzed flips of a valid encoding give a WireFormatError or a valid decode', () => {
    const valid = encodeSnapshot(snapshot, 1);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyTypedErrors(decodeSnapshot, b)));
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = valid.slice();
        b[at] ^= x;
        onlyTypedErrors(decodeSnapshot, b);
      }),
    );
  });
});

describe('area result codec', () => {
  it('round-trips every field', () => {
    const d = decodeAreaResult(encodeAreaResult(result));
    expect({ ...d }).toEqual({ ...result });
  });

  it('fuzzed flips of a valid encoding give a WireFormatError or a valid decode', () => {
    const valid = encodeAreaResult(result);
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = valid.slice();
        b[at] ^= x;
        onlyTypedErrors(decodeAreaResult, b);
      }),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyTypedErrors(decodeAreaResult, b)));
  });
});

describe('catalog codec', () => {
  it('round-trips and refuses a catalog with a bad field, naming it', () => {
    const catalog = {
      version: 4,
      pmus: [
        { idcode: 3, station: 'S', cfgcnt: 2, channels: [{ name: 'V1', isCurrent: false, phunitScale: 1 }] },
      ],
    };
    expect(decodeCatalog(encodeCatalog(catalog))).toEqual(catalog);
    const unknownUnits = {
      version: 1,
      pmus: [{ ...catalog.pmus[0], channels: [{ name: 'X', isCurrent: null, phunitScale: null }] }],
    };
    expect(decodeCatalog(encodeCatalog(unknownUnits))).toEqual(unknownUnits);
    const bad = encodeCatalog({ ...catalog, pmus: [{ ...catalog.pmus[0], idcode: 70_000 }] });
    expect(() => decodeCatalog(bad)).toThrow(/pmus\[0\]\.idcode/);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyTypedErrors(decodeCatalog, b)));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AreaResult } from '../engine/area-result';
import { WireFormatError } from '../errors/wire-format-error';
import { decodeCatalog, encodeCatalog } from './catalog-codec';
import { decodeAreaResult, encodeAreaResult, peekAreaResult } from './result-codec';
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
  deEnergized: Int32Array.of(12),
  criticalIdcode: Uint16Array.of(101, 102),
  criticalChannel: Uint16Array.of(0, 3),
  criticalPairIdcode: Uint16Array.of(103, 104),
  criticalPairChannel: Uint16Array.of(1, 1),
  cost: 12.5,
  degreesOfFreedom: 20,
  badDataRemains: true,
  measurementsUsed: 17,
  computeMs: 0.25,
  stamps: {
    receivedAtMs: 1_796_000_000_001.25,
    releasedAtMs: 1_796_000_000_001.5,
    deliveredAtMs: 1_796_000_000_002.75,
    computedAtMs: 1_796_000_000_004,
  },
};

/** A version 1 encoding (no stamps in the header), as a sender before version 2 wrote it. */
function asVersion1(bytes: Uint8Array, oldHeader: number, newHeader: number, versionAt = 4): Uint8Array {
  const out = new Uint8Array(bytes.length - (newHeader - oldHeader));
  out.set(bytes.subarray(0, oldHeader), 0);
  out.set(bytes.subarray(newHeader), oldHeader);
  out[versionAt] = 1;
  return out;
}

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

  it('carries the ingest stamps: the latest PMU arrival and the release', () => {
    const stamped: SnapshotInput = {
      ...snapshot,
      values: snapshot.values.map((v, i) => ({ ...v, arrivalMs: 1000 + [3, 7.5, 5][i] })),
      releasedAtMs: 1009.25,
    };
    const d = decodeSnapshot(encodeSnapshot(stamped, 3));
    expect([d.receivedAtMs, d.releasedAtMs]).toEqual([1007.5, 1009.25]);
    const unstamped = decodeSnapshot(encodeSnapshot(snapshot, 3));
    expect([unstamped.receivedAtMs, unstamped.releasedAtMs]).toEqual([Number.NaN, Number.NaN]);
  });

  it('still reads a version 1 snapshot, with NaN stamps', () => {
    const v1 = decodeSnapshot(asVersion1(encodeSnapshot(snapshot, 3), 40, 56));
    expect([...v1.phasors.subarray(0, 4)]).toEqual([1, -0.5, 0.25, 3e-3]);
    expect([v1.slot, v1.catalogVersion, v1.receivedAtMs]).toEqual([snapshot.slot, 3, Number.NaN]);
  });

  it('carries analog channels and digital words per PMU (version 3), and writes version 2 without them', () => {
    const withExtras: SnapshotInput = {
      ...snapshot,
      values: [
        { ...snapshot.values[0], analogs: Float64Array.of(101.5, -20.25), digitals: Uint16Array.of(0x8001) },
        snapshot.values[1],
        { ...snapshot.values[2], digitals: Uint16Array.of(3, 0xffff) },
      ],
    };
    const bytes = encodeSnapshot(withExtras, 3);
    expect(bytes[4]).toBe(3);
    const d = decodeSnapshot(bytes);
    expect([...d.analogStart]).toEqual([0, 2, 2, 2]);
    expect([...d.analogs]).toEqual([101.5, -20.25]);
    expect([...d.digitalStart]).toEqual([0, 1, 1, 3]);
    expect([...d.digitals]).toEqual([0x8001, 3, 0xffff]);
    expect([...d.phasors]).toEqual([1, -0.5, 0.25, 3e-3, Number.NaN, 2]);
    const plain = encodeSnapshot(snapshot, 3);
    expect(plain[4]).toBe(2);
    expect([...decodeSnapshot(plain).digitalStart]).toEqual([0, 0, 0, 0]);
    const corrupt = bytes.slice();
    new DataView(corrupt.buffer).setUint32(60, 2, true);
    expect(() => decodeSnapshot(corrupt)).toThrow(WireFormatError);
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
    const valid = encodeSnapshot(
      {
        ...snapshot,
        values: [{ ...snapshot.values[0], analogs: Float64Array.of(1, 2), digitals: Uint16Array.of(7) }],
      },
      1,
    );
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

  it('still reads versions 1 to 3: without stamps (1), de-energized buses (1, 2) or criticality (1 to 3)', () => {
    const { stamps, deEnergized, ...withCritical } = result;
    const { criticalIdcode, criticalChannel, criticalPairIdcode, criticalPairChannel, ...rest } =
      withCritical;
    expect(stamps).toBeDefined();
    expect(deEnergized!.length).toBe(1);
    expect(
      [criticalIdcode, criticalChannel, criticalPairIdcode, criticalPairChannel].map((a) => a!.length),
    ).toEqual([2, 2, 2, 2]);
    const none = {
      deEnergized: new Int32Array(0),
      criticalIdcode: new Uint16Array(0),
      criticalChannel: new Uint16Array(0),
      criticalPairIdcode: new Uint16Array(0),
      criticalPairChannel: new Uint16Array(0),
    };
    // Without de-energized buses and criticality a version 4 encoding is a version 2 one plus 16 header bytes.
    const v4 = encodeAreaResult({ ...rest, stamps });
    expect({ ...decodeAreaResult(asVersion1(v4, 80, 128)) }).toEqual({ ...rest, ...none });
    const v2 = asVersion1(v4, 112, 128);
    v2[4] = 2;
    expect({ ...decodeAreaResult(v2) }).toEqual({ ...rest, stamps, ...none });
    const v3 = asVersion1(encodeAreaResult({ ...rest, stamps, deEnergized }), 120, 128);
    v3[4] = 3;
    expect({ ...decodeAreaResult(v3) }).toEqual({ ...rest, stamps, ...none, deEnergized });
    // A version 3 header has no critical counts: its reserved word must stay 0.
    new DataView(v3.buffer).setUint32(116, 1, true);
    expect(() => decodeAreaResult(v3)).toThrow(/116-119 must be 0/);
  });

  it('refuses critical lists whose IDCODEs and channels differ in length, or a pair without its second row', () => {
    expect(() => encodeAreaResult({ ...result, criticalChannel: Uint16Array.of(0) })).toThrow(RangeError);
    const odd = { ...result, criticalPairIdcode: Uint16Array.of(1), criticalPairChannel: Uint16Array.of(1) };
    expect(() => encodeAreaResult(odd)).toThrow(/two entries each/);
  });

  it('peeks (slot, area) from the header alone, and refuses what is not a result', () => {
    expect(peekAreaResult(encodeAreaResult(result))).toEqual({ slot: 42, area: 1 });
    expect(() => peekAreaResult(new Uint8Array(10))).toThrow(WireFormatError);
    const wrongMagic = encodeAreaResult(result);
    wrongMagic[0] ^= 0xff;
    expect(() => peekAreaResult(wrongMagic)).toThrow(/magic/);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyTypedErrors(peekAreaResult, b)));
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
  it('carries analog names and the bit names of each digital word, and refuses a word without 16 names', () => {
    const bits = Array.from({ length: 16 }, (_, b) => (b < 2 ? `BRK#${b + 4}` : ''));
    const catalog = {
      version: 2,
      pmus: [
        {
          idcode: 3,
          station: 'S',
          cfgcnt: 1,
          channels: [{ name: 'V1', isCurrent: false, phunitScale: 1 }],
          analogs: ['MW#4', 'MVAR#4'],
          digitals: [bits],
        },
      ],
    };
    expect(decodeCatalog(encodeCatalog(catalog))).toEqual(catalog);
    const short = { ...catalog, pmus: [{ ...catalog.pmus[0], digitals: [['BRK#4']] }] };
    expect(() => decodeCatalog(encodeCatalog(short))).toThrow(/pmus\[0\]\.digitals\[0\] has 1 names, not 16/);
  });

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

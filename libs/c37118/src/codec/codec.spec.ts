import { describe, expect, it } from 'vitest';
import { FrameEncodeError } from '../errors/frame-encode-error';
import { buildConfig } from './config-builder';
import { LOCKED_TIME, decodeTimeQuality, encodeTimeQuality } from './common';
import { crcCcitt } from './crc';
import { decodeFrame, decodeFrameOrThrow } from './decode';
import { commandFrame, encodeFrame } from './encode';
import type { CommandFrame, Config3Frame, ConfigFrame, DataFrame, Frame, HeaderFrame } from './frame-types';
import { decodeStat, encodeStat } from './stat';

const time = { soc: 1_700_000_000, fracsec: 500_000, timeQuality: LOCKED_TIME };

function roundTrip(frame: Frame, config?: ConfigFrame | Config3Frame): Frame {
  const bytes = encodeFrame(frame, config);
  const decoded = decodeFrameOrThrow(bytes, () => config);
  expect(encodeFrame(decoded, config)).toEqual(bytes);
  return decoded;
}

const mixedConfig = (version: number): ConfigFrame =>
  buildConfig({
    version,
    idcode: 7,
    dataRate: 60,
    pmus: [
      {
        stationName: 'INT RECT',
        idcode: 71,
        format: { polar: false, phasorFloat: false, analogFloat: false, freqFloat: false },
        phasors: ['VA', 'IA'],
        analogs: ['MW'],
        digitalWords: 1,
        phunit: 915527,
      },
      {
        stationName: 'INT POLAR',
        idcode: 72,
        format: { polar: true, phasorFloat: false, analogFloat: true, freqFloat: false },
        phasors: ['VB'],
        nominalFrequencyHz: 50,
      },
      {
        stationName: 'FLOAT POLAR',
        idcode: 73,
        format: { polar: true, phasorFloat: true, analogFloat: true, freqFloat: true },
        phasors: ['VC', 'IC'],
        analogs: ['A1', 'A2'],
        digitalWords: 2,
      },
    ],
  });

describe('encodeFrame / decodeFrame round trip', () => {
  for (const version of [1, 2]) {
    it(`round-trips a multi-PMU CFG-2 and CFG-1 with every FORMAT combination (version ${version})`, () => {
      const cfg = mixedConfig(version);
      expect(roundTrip(cfg)).toEqual(cfg);
      const cfg1: ConfigFrame = { ...cfg, kind: 'cfg1' };
      expect(roundTrip(cfg1)).toEqual(cfg1);
    });

    it(`round-trips a data frame exactly for int16 rect, int16 polar and float polar PMUs (version ${version})`, () => {
      const cfg = mixedConfig(version);
      const data: DataFrame = {
        kind: 'data',
        version,
        idcode: 7,
        ...time,
        pmus: [
          {
            stat: 0x8000 | 0x2000,
            phasors: [14635, -1, -7318, 32767],
            freq: -25,
            dfreq: 3,
            analogs: [-32768],
            digitals: [0x3c12],
          },
          { stat: 0, phasors: [65535, -31416], freq: 12, dfreq: -4, analogs: [], digitals: [] },
          {
            stat: 0x0400,
            phasors: [230000.5, 1.5, 12.25, -0.5],
            freq: 59.98500061035156,
            dfreq: -0.125,
            analogs: [1.5, -2.75],
            digitals: [1, 65535],
          },
        ],
      };
      expect(roundTrip(data, cfg)).toEqual(data);
    });
  }

  it('keeps a negative DATA_RATE (seconds per frame)', () => {
    const cfg = buildConfig({
      idcode: 9,
      dataRate: -5,
      pmus: [{ stationName: 'SLOW', idcode: 9, phasors: ['V'] }],
    });
    expect((roundTrip(cfg) as ConfigFrame).dataRate).toBe(-5);
  });

  it('round-trips header and command frames including an extended command', () => {
    const header: HeaderFrame = { kind: 'header', version: 2, idcode: 3, ...time, text: 'Hi! I am a PMU.' };
    expect(roundTrip(header)).toEqual(header);
    const start = commandFrame(3, 'start', time);
    expect(roundTrip(start)).toEqual(start);
    const extended: CommandFrame = {
      ...commandFrame(3, 'extended', time),
      extended: new Uint8Array([1, 2, 3, 4]),
    };
    expect(roundTrip(extended)).toEqual(extended);
  });

  it('round-trips a CFG-3 frame with UTF-8 names, scales, position and service class', () => {
    const cfg3: Config3Frame = {
      kind: 'cfg3',
      version: 2,
      idcode: 11,
      ...time,
      contIdx: 0,
      timeBase: 1_000_000,
      dataRate: 50,
      pmus: [
        {
          stationName: 'Umspannwerk Süd',
          idcode: 11,
          globalPmuId: '00112233445566778899aabbccddeeff',
          format: { polar: false, phasorFloat: false, analogFloat: false, freqFloat: false },
          phasors: [
            {
              name: 'VA',
              modificationFlags: 0,
              typeIndication: 0,
              userDesignation: 0,
              scale: 0.5,
              angleOffsetRad: 0.25,
            },
          ],
          analogs: [{ name: 'P', scale: 2, offset: -1 }],
          digitals: [{ names: ['breaker', ...Array(15).fill('')], normalMask: 1, validMask: 1 }],
          latitude: 48.5,
          longitude: 9.25,
          elevation: 300,
          serviceClass: 'P',
          windowUs: 40_000,
          groupDelayUs: -20_000,
          nominalFrequencyHz: 50,
          cfgcnt: 4,
        },
      ],
    };
    expect(roundTrip(cfg3)).toEqual(cfg3);
    // A fragmented CFG-3 (CONT_IDX != 0) is refused with a reason rather than misparsed.
    expect(() => encodeFrame({ ...cfg3, contIdx: 1 })).toThrow(/CONT_IDX 1/);
    const fragment = encodeFrame(cfg3);
    fragment[15] = 1;
    const crc = crcCcitt(fragment, 0, fragment.length - 2);
    fragment.set([crc >> 8, crc & 0xff], fragment.length - 2);
    expect(decodeFrame(fragment)).toMatchObject({
      ok: false,
      reject: { reason: 'malformed', message: expect.stringMatching(/CFG-3 fragment/) },
    });
    const data: DataFrame = {
      kind: 'data',
      version: 2,
      idcode: 11,
      ...time,
      pmus: [{ stat: 0, phasors: [100, -100], freq: 5, dfreq: 0, analogs: [7], digitals: [1] }],
    };
    expect(roundTrip(data, cfg3)).toEqual(data);
  });

  it('puts frame type in SYNC bits 6-4 and version in bits 3-0, and FRAMESIZE and CHK where they belong', () => {
    const bytes = encodeFrame({ kind: 'header', version: 2, idcode: 0x1234, ...time, text: 'abc' });
    expect(bytes[0]).toBe(0xaa);
    expect(bytes[1]).toBe(0x12);
    expect((bytes[2] << 8) | bytes[3]).toBe(bytes.length);
    expect((bytes[4] << 8) | bytes[5]).toBe(0x1234);
    expect((bytes[bytes.length - 2] << 8) | bytes[bytes.length - 1]).toBe(
      crcCcitt(bytes, 0, bytes.length - 2),
    );
    const cfg3 = encodeFrame({ ...mixedConfig(2), kind: 'cfg1' });
    expect(cfg3[1]).toBe(0x22);
    expect(encodeFrame(commandFrame(1, 'cfg3', time, 2))[1]).toBe(0x42);
  });
});

describe('time quality and STAT bits', () => {
  it('decodes FRACSEC flags and keeps the 24-bit fraction', () => {
    const q = {
      reserved: false,
      leapSecondNegative: true,
      leapSecondOccurred: false,
      leapSecondPending: true,
      code: 11,
    };
    expect(decodeTimeQuality(encodeTimeQuality(q))).toEqual(q);
    const frame: HeaderFrame = {
      kind: 'header',
      version: 1,
      idcode: 1,
      soc: 10,
      fracsec: 0xabcdef,
      timeQuality: q,
      text: '',
    };
    const bytes = encodeFrame(frame);
    expect(bytes[10]).toBe(0x5b);
    expect(decodeFrameOrThrow(bytes)).toEqual(frame);
  });

  it('decodes every STAT field', () => {
    const s = decodeStat(0b11_1_1_1_1_1_101_10_1001);
    expect(s).toEqual({
      dataError: 3,
      syncLost: true,
      sortByArrival: true,
      trigger: true,
      configChangePending: true,
      dataModified: true,
      pmuTimeQuality: 5,
      unlockedTime: 2,
      triggerReason: 9,
    });
    expect(encodeStat(s)).toBe(0b11_1_1_1_1_1_101_10_1001);
    expect(decodeStat(0).syncLost).toBe(false);
  });
});

describe('decodeFrame rejects with a reason', () => {
  const cfg = mixedConfig(2);
  const good = encodeFrame(cfg);

  it('reports a CRC error', () => {
    const bad = good.slice();
    bad[20] ^= 0x01;
    const r = decodeFrame(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reject).toMatchObject({ reason: 'crc', kind: 'cfg2', idcode: 7 });
  });

  it('reports bad SYNC, truncation and size mismatch', () => {
    expect(decodeFrame(Uint8Array.of(0x55, 0x01, 0, 16))).toMatchObject({
      ok: false,
      reject: { reason: 'bad-sync' },
    });
    expect(decodeFrame(good.subarray(0, good.length - 1))).toMatchObject({
      ok: false,
      reject: { reason: 'truncated' },
    });
    expect(decodeFrame(Uint8Array.of(0xaa, 0x01, 0, 8, 0, 0, 0, 0))).toMatchObject({
      ok: false,
      reject: { reason: 'size-mismatch' },
    });
  });

  it('reports a data frame without a configuration, and one whose size disagrees with it', () => {
    const data = encodeFrame(
      {
        kind: 'data',
        version: 2,
        idcode: 9,
        ...time,
        pmus: [{ stat: 0, phasors: [1, 2], freq: 60, dfreq: 0, analogs: [], digitals: [] }],
      },
      buildConfig({ idcode: 9, dataRate: 30, pmus: [{ stationName: 'X', idcode: 9, phasors: ['V'] }] }),
    );
    expect(decodeFrame(data)).toMatchObject({ ok: false, reject: { reason: 'no-config', idcode: 9 } });
    const other = buildConfig({
      idcode: 9,
      dataRate: 30,
      pmus: [{ stationName: 'X', idcode: 9, phasors: ['V', 'W'] }],
    });
    expect(decodeFrame(data, () => other)).toMatchObject({ ok: false, reject: { reason: 'size-mismatch' } });
  });

  it('reports NUM_PMU 0 as malformed', () => {
    const body = [0, 0x0f, 0x42, 0x40, 0, 0, 0, 30];
    const frame = new Uint8Array(14 + body.length + 2);
    frame.set([0xaa, 0x31, 0, frame.length, 0, 1]);
    frame.set(body, 14);
    const crc = crcCcitt(frame, 0, frame.length - 2);
    frame.set([crc >> 8, crc & 0xff], frame.length - 2);
    expect(decodeFrame(frame)).toMatchObject({ ok: false, reject: { reason: 'malformed' } });
  });

  it('reports TIME_BASE 0 as malformed in CFG-1 and CFG-2: FRACSEC / TIME_BASE would be no time at all', () => {
    const cfg = buildConfig({
      idcode: 9,
      dataRate: 30,
      pmus: [{ stationName: 'X', idcode: 9, phasors: ['V'] }],
    });
    for (const bytes of [encodeFrame(cfg), encodeFrame({ ...cfg, kind: 'cfg1' })]) {
      const frame = bytes.slice();
      // TIME_BASE follows the 14-byte common header; its low 24 bits are the base.
      frame.set([0, 0, 0], 15);
      const crc = crcCcitt(frame, 0, frame.length - 2);
      frame.set([crc >> 8, crc & 0xff], frame.length - 2);
      expect(decodeFrame(frame)).toMatchObject({
        ok: false,
        reject: { reason: 'malformed', message: expect.stringMatching(/TIME_BASE is 0/) },
      });
    }
  });
});

describe('encodeFrame validation', () => {
  it('names the field that is out of range', () => {
    const cfg = mixedConfig(2);
    const data: DataFrame = {
      kind: 'data',
      version: 2,
      idcode: 7,
      ...time,
      pmus: [
        { stat: 0, phasors: [40000, 0, 0, 0], freq: 0, dfreq: 0, analogs: [0], digitals: [0] },
        { stat: 0, phasors: [1, 1], freq: 0, dfreq: 0, analogs: [], digitals: [] },
        { stat: 0, phasors: [1, 1, 1, 1], freq: 60, dfreq: 0, analogs: [0, 0], digitals: [0, 0] },
      ],
    };
    expect(() => encodeFrame(data, cfg)).toThrow(FrameEncodeError);
    expect(() => encodeFrame(data, cfg)).toThrow(/int16 phasor real part/);
    expect(() => encodeFrame({ ...cfg, idcode: 70000 })).toThrow(/IDCODE must be an integer in \[0, 65535\]/);
    expect(() =>
      encodeFrame({ ...cfg, pmus: [{ ...cfg.pmus[0], stationName: 'a station name longer than 16' }] }),
    ).toThrow(/STN/);
    expect(() => encodeFrame({ kind: 'data', version: 2, idcode: 7, ...time, pmus: [] })).toThrow(
      /needs its configuration/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeFrameOrThrow } from '../codec/decode';
import { encodeFrame } from '../codec/encode';
import type { Config3Frame, Frame } from '../codec/frame-types';
import type { FrameReject } from '../codec/reject';
import { encodedConfig3Data, sampleConfig3, sampleConfig3Frames } from '../testing/config3-sample';
import { concat } from '../testing/sample-stream';
import type { Config3AssemblyOptions } from './config3-assembler';
import { ConfigBudget, ConfigStore } from './config-store';
import { StreamDecoder } from './stream-decoder';

const config = sampleConfig3();
const FRAME_BYTES = 400;
const parts = sampleConfig3Frames(config, FRAME_BYTES);
/** The configuration as its frames carry it (scales and positions are float32 on the wire). */
const onWire = { ...(decodeFrameOrThrow(encodeFrame(config)) as Config3Frame), fragments: parts.length };
const data = [0, 1, 2].map((i) => encodedConfig3Data(config, i));

function decoder(config3?: Config3AssemblyOptions) {
  const frames: Frame[] = [];
  const rejects: FrameReject[] = [];
  let dataFrames = 0;
  const d = new StreamDecoder(
    { maxFrameBytes: 65535, config3 },
    { onFrame: (f) => frames.push(f), onReject: (r) => rejects.push(r), onData: () => (dataFrames += 1) },
  );
  return { d, frames, rejects, data: () => dataFrames };
}

const contIdx = (frame: Uint8Array): number => (frame[14] << 8) | frame[15];

describe('CFG-3 across several frames', () => {
  it('is a series of CONT_IDX 1, 2, ... 0xFFFF frames, each within the frame size, none decodable alone', () => {
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.map(contIdx)).toEqual([...parts.slice(0, -1).map((_, i) => i + 1), 0xffff]);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(FRAME_BYTES);
      const alone = decodeFrame(p);
      expect(alone.ok).toBe(false);
      if (!alone.ok) expect(alone.reject.message).toMatch(/cannot be decoded alone/);
    }
    expect(sampleConfig3Frames(config, 65535).map(contIdx)).toEqual([0]);
  });

  it('is reassembled from a byte stream cut anywhere, with data frames between its parts, and then decodes data', () => {
    const stream = concat([parts[0], data[0], ...parts.slice(1), data[1], data[2]]);
    for (const step of [1, 7, 100, stream.length]) {
      const t = decoder();
      for (let at = 0; at < stream.length; at += step) t.d.push(stream.subarray(at, at + step));
      t.d.end();
      expect(t.frames).toEqual([onWire]);
      // The data frame sent before the series completed had no configuration yet.
      expect(t.rejects.map((r) => r.reason)).toEqual(['no-config']);
      expect(t.data()).toBe(2);
      expect(t.d.counters.frames.cfg3).toBe(parts.length);
      expect(t.d.counters.bytesAccepted + t.d.counters.bytesDiscarded).toBe(t.d.counters.bytesIn);
      expect(t.d.configs.get(config.idcode)?.config).toEqual(onWire);
    }
  });

  it('is reassembled from one datagram per frame', () => {
    const t = decoder();
    for (const p of [...parts, data[0]]) t.d.pushDatagram(p);
    expect(t.frames.length).toBe(1);
    expect(t.data()).toBe(1);
  });

  const cases: [string, Uint8Array[], RegExp, string][] = [
    [
      'a missing part',
      [parts[0], parts[2], ...parts.slice(3)],
      /CONT_IDX 3 follows 1: 2 is missing/,
      'malformed',
    ],
    [
      'parts missing',
      [parts[0], parts[3], ...parts.slice(4)],
      /CONT_IDX 4 follows 1: 2 to 3 are missing/,
      'malformed',
    ],
    [
      'a duplicated part',
      [parts[0], parts[1], parts[1], ...parts.slice(2)],
      /CONT_IDX 2 is duplicated/,
      'malformed',
    ],
    [
      'parts out of order',
      [...parts.slice(0, 3), parts[1], ...parts.slice(3)],
      /CONT_IDX 2 is out of order \(after 3\)/,
      'malformed',
    ],
    ['a missing first part', parts.slice(1), /CONT_IDX 2 from IDCODE 7 belongs to no series/, 'malformed'],
    [
      'a series begun again',
      [parts[0], parts[1], ...parts],
      /refused after 2 fragments: a new series began/,
      'malformed',
    ],
  ];
  for (const [what, frames, message, reason] of cases) {
    it(`refuses the series with a clear reject for ${what}`, () => {
      const t = decoder();
      t.d.push(concat([...frames, data[0]]));
      t.d.end();
      const series = t.rejects.filter((r) => r.kind === 'cfg3');
      expect(series.length).toBeGreaterThan(0);
      expect(series[0].reason).toBe(reason);
      expect(series[0].message).toMatch(message);
      expect(t.d.counters.bytesAccepted + t.d.counters.bytesDiscarded).toBe(t.d.counters.bytesIn);
      expect(t.d.heldConfig3Bytes).toBe(0);
      if (what === 'a series begun again') expect(t.frames.length).toBe(1);
      else expect(t.frames).toEqual([]);
    });
  }

  it('refuses a series from another IDCODE breaking in, and one cut short by the end of the stream or a gap', () => {
    const other = sampleConfig3Frames(sampleConfig3({ idcode: 8 }), FRAME_BYTES);
    const t = decoder();
    t.d.push(concat([parts[0], other[1], parts[1]]));
    expect(t.rejects.map((r) => r.message)).toEqual([
      expect.stringMatching(/IDCODE 7 refused after 1 fragment: a fragment from IDCODE 8 came in the middle/),
      expect.stringMatching(/CONT_IDX 2 from IDCODE 8 belongs to no series/),
      expect.stringMatching(/CONT_IDX 2 from IDCODE 7 belongs to no series/),
    ]);
    for (const cut of ['end', 'gap'] as const) {
      const c = decoder();
      c.d.push(concat(parts.slice(0, 2)));
      expect(c.d.heldConfig3Bytes).toBeGreaterThan(0);
      if (cut === 'end') c.d.end();
      else c.d.discontinuity();
      expect(c.rejects).toEqual([
        expect.objectContaining({
          reason: 'truncated',
          kind: 'cfg3',
          idcode: 7,
          bytes: parts[0].length + parts[1].length,
        }),
      ]);
      expect(c.d.heldConfig3Bytes).toBe(0);
    }
  });

  it('holds no more than its bounds: too many parts or too many bytes is config-limit', () => {
    const few = decoder({ maxConfig3Fragments: 3, maxConfig3Bytes: 1 << 20 });
    few.d.push(concat(parts));
    expect(few.rejects[0]).toMatchObject({
      reason: 'config-limit',
      message: expect.stringMatching(/maxConfig3Fragments 3/),
    });
    expect(few.frames).toEqual([]);
    const small = decoder({ maxConfig3Fragments: 64, maxConfig3Bytes: 1000 });
    small.d.push(concat(parts));
    expect(small.rejects[0]).toMatchObject({
      reason: 'config-limit',
      message: expect.stringMatching(/maxConfig3Bytes 1000/),
    });
    expect(small.d.heldConfig3Bytes).toBe(0);
    expect(() => decoder({ maxConfig3Fragments: 1, maxConfig3Bytes: 10 })).toThrow(/maxConfig3Fragments/);
  });

  it('counts a series being reassembled against its store and shared budget, so many senders stay within one bound', () => {
    const budget = new ConfigBudget(4096);
    const senders = [0, 1, 2].map(() => {
      const rejects: FrameReject[] = [];
      const configs = new ConfigStore({ maxConfigs: 4, maxConfigBytes: 1 << 20, budget });
      const d = new StreamDecoder({ maxFrameBytes: 65535, configs }, { onReject: (r) => rejects.push(r) });
      return { d, configs, rejects };
    });
    // Each sender sends all but the last part: the budget fills, and the sender that would pass it is refused.
    for (const s of senders) s.d.push(concat(parts.slice(0, -1)));
    expect(budget.usedBytes).toBeLessThanOrEqual(budget.maxBytes);
    const refused = senders.flatMap((s) => s.rejects);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({
      reason: 'config-limit',
      message: expect.stringMatching(/shared budget of 4096 bytes/),
    });
    // A sender that goes away gives its held series back; one that completes holds its configuration instead.
    senders[0].configs.clear();
    senders[0].d.end();
    expect(senders[0].configs.bytes).toBe(0);
    senders[1].d.push(parts[parts.length - 1]);
    expect(senders[1].configs.size).toBe(1);
    for (const s of senders.slice(1)) s.d.end();
    expect(budget.usedBytes).toBe(senders[1].configs.bytes);
  });

  it('applies the reassembled CFG-3 PHSCALE: int16 scaled by its factor and every phasor turned by its angle', () => {
    for (const format of [
      { polar: false, phasorFloat: false },
      { polar: true, phasorFloat: false },
      { polar: false, phasorFloat: true },
      { polar: true, phasorFloat: true },
    ]) {
      const c3: Config3Frame = sampleConfig3({ format, pmuCount: 3, angleStepRad: 0.3 });
      const frames = sampleConfig3Frames(c3, 200);
      expect(frames.length).toBeGreaterThan(1);
      const seen: number[][] = [];
      const d = new StreamDecoder({ maxFrameBytes: 65535 }, { onData: (v) => seen.push([...v.phasors]) });
      d.push(concat([...frames, encodedConfig3Data(c3, 4)]));
      const want = c3.pmus.flatMap((p, k) => {
        const raw = [
          [1000 + k, format.polar ? (format.phasorFloat ? 0.5 : 5000) : 300 - k],
          [204, format.polar ? (format.phasorFloat ? -0.25 : -2500) : -50],
        ];
        return p.phasors.flatMap((ph, j) => {
          const [a, b] = raw[j];
          const scale = format.phasorFloat ? 1 : ph.scale;
          const angleUnit = format.phasorFloat ? 1 : 1e-4;
          const [re, im] = format.polar
            ? [a * scale * Math.cos(b * angleUnit), a * scale * Math.sin(b * angleUnit)]
            : [a * scale, b * scale];
          const t = Math.fround(ph.angleOffsetRad);
          return [re * Math.cos(t) - im * Math.sin(t), re * Math.sin(t) + im * Math.cos(t)];
        });
      });
      expect(seen.length).toBe(1);
      seen[0].forEach((x, i) => expect(x, `${JSON.stringify(format)} value ${i}`).toBeCloseTo(want[i], 4));
    }
  });
});

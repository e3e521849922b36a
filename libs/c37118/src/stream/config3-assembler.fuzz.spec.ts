import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrameOrThrow } from '../codec/decode';
import { encodeFrame } from '../codec/encode';
import type { Config3Frame, Frame } from '../codec/frame-types';
import { encodedConfig3Data, sampleConfig3, sampleConfig3Frames } from '../testing/config3-sample';
import { concat } from '../testing/sample-stream';
import { StreamDecoder } from './stream-decoder';

const config = sampleConfig3({ pmuCount: 6 });
const parts = sampleConfig3Frames(config, 300);
const onWire = decodeFrameOrThrow(encodeFrame(config)) as Config3Frame;
const data = [0, 1].map((i) => encodedConfig3Data(config, i));
const BOUNDS = { maxConfig3Fragments: 16, maxConfig3Bytes: 8192 };

/** What a sender or network may do to the series: drop, repeat, swap, or damage a part, or cut the stream. */
type Fault =
  | { op: 'drop'; at: number }
  | { op: 'repeat'; at: number }
  | { op: 'swap'; at: number }
  | { op: 'flip'; at: number; byte: number; bit: number }
  | { op: 'cut'; at: number };

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('flip' as const),
    at: fc.nat(),
    byte: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
);

function applyFault(frames: Uint8Array[], f: Fault): Uint8Array[] {
  if (frames.length === 0) return frames;
  const at = f.at % frames.length;
  const out = frames.slice();
  switch (f.op) {
    case 'drop':
      out.splice(at, 1);
      return out;
    case 'repeat':
      out.splice(at, 0, frames[at]);
      return out;
    case 'swap':
      if (at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1], out[at]];
      return out;
    case 'flip': {
      const damaged = frames[at].slice();
      damaged[f.byte % damaged.length] ^= 1 << f.bit;
      out[at] = damaged;
      return out;
    }
    case 'cut':
      out[at] = frames[at].subarray(0, frames[at].length >> 1);
      return out;
  }
}

describe('CFG-3 reassembly fuzz (fast-check faults on a series)', () => {
  it('never throws, holds within its bounds, accounts for every byte, and delivers only the configuration that was sent', () => {
    fc.assert(
      fc.property(
        fc.array(fault, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (faults, cuts) => {
          const frames = faults.reduce(applyFault, [...parts, ...data]);
          const stream = concat(frames);
          const delivered: Frame[] = [];
          const d = new StreamDecoder(
            { maxFrameBytes: 1024, config3: BOUNDS },
            {
              onFrame: (f) => delivered.push(f),
              onReject: (r) => expect(r.message.length).toBeGreaterThan(0),
            },
          );
          let at = 0;
          for (const cut of cuts.map((c) => c % (stream.length + 1)).sort((a, b) => a - b)) {
            d.push(stream.subarray(at, Math.max(at, cut)));
            at = Math.max(at, cut);
            expect(d.heldConfig3Bytes).toBeLessThanOrEqual(BOUNDS.maxConfig3Bytes);
          }
          d.push(stream.subarray(at));
          d.end();
          // Every part is CRC-checked and the series must be complete and in order: what completes is the original.
          for (const f of delivered) expect(f).toEqual({ ...onWire, fragments: parts.length });
          const c = d.counters;
          expect(c.bytesAccepted + c.bytesDiscarded).toBe(c.bytesIn);
          expect(d.heldConfig3Bytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('delivers the configuration from any arrival order that is the series in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), (step) => {
        const delivered: Frame[] = [];
        const d = new StreamDecoder(
          { maxFrameBytes: 1024, config3: BOUNDS },
          { onFrame: (f) => delivered.push(f) },
        );
        const stream = concat(parts);
        for (let at = 0; at < stream.length; at += step) d.push(stream.subarray(at, at + step));
        d.end();
        expect(delivered).toEqual([{ ...onWire, fragments: parts.length }]);
      }),
      { numRuns: 64 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeFrameOrThrow } from '../codec/decode';
import { FrameFormatError } from '../errors/frame-format-error';
import {
  concat,
  encodedCommand,
  encodedConfig,
  encodedData,
  encodedHeader,
  sampleConfig,
} from '../testing/sample-stream';
import { StreamDecoder } from './stream-decoder';

const DATA_FRAMES = 12;
const frames = [
  encodedHeader,
  encodedConfig,
  encodedCommand,
  ...Array.from({ length: DATA_FRAMES }, (_, i) => encodedData(i)),
];
const session = concat(frames);
const MAX_FRAME_BYTES = 512;

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; n: number }
  | { op: 'framesize'; frame: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 80 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 60 }) }),
  fc.record({
    op: fc.constant('framesize' as const),
    frame: fc.nat(),
    value: fc.integer({ min: 0, max: 0xffff }),
  }),
);

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = 'at' in m ? m.at % bytes.length : 0;
  switch (m.op) {
    case 'flip': {
      const out = bytes.slice();
      out[at] ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      out[at] = m.value;
      return out;
    }
    case 'insert':
      return concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    case 'delete':
      return concat([bytes.subarray(0, at), bytes.subarray(at + m.n)]);
    case 'framesize': {
      const out = bytes.slice();
      let start = 0;
      for (let i = 0; i < m.frame % frames.length; i += 1) start += frames[i].length;
      out[start + 2] = m.value >> 8;
      out[start + 3] = m.value & 0xff;
      return out;
    }
  }
}

function run(stream: Uint8Array, cuts: number[]): StreamDecoder {
  const d = new StreamDecoder(
    { maxFrameBytes: MAX_FRAME_BYTES },
    {
      onData: (v) => {
        // Accepted data frames must be the sample's, decoded with its layout.
        expect(v.idcode).toBe(sampleConfig.idcode);
        expect(v.layout.numPmu).toBe(2);
      },
    },
  );
  let at = 0;
  for (const cut of [...cuts.map((c) => c % (stream.length + 1))].sort((a, b) => a - b)) {
    d.push(stream.subarray(at, Math.max(at, cut)));
    at = Math.max(at, cut);
    expect(d.bufferedBytes).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  }
  d.push(stream.subarray(at));
  d.end();
  return d;
}

describe('StreamDecoder fuzz (fast-check mutations of a valid session)', () => {
  it('never throws, stays bounded and accounts for every input byte', () => {
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (ms, cuts) => {
          const stream = ms.reduce(apply, session);
          const d = run(stream, cuts);
          const c = d.counters;
          expect(c.bytesAccepted + c.bytesDiscarded).toBe(c.bytesIn);
          expect(d.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('loses only the damaged frame for every single-bit error in the session (exhaustive)', () => {
    const configStart = encodedHeader.length;
    for (let at = 0; at < session.length; at += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const d = new StreamDecoder({ maxFrameBytes: MAX_FRAME_BYTES });
        d.push(apply(session, { op: 'flip', at, bit }));
        d.end();
        const total = Object.values(d.counters.frames).reduce((a, b) => a + b, 0);
        const inConfig = at >= configStart && at < configStart + encodedConfig.length;
        // The CRC catches every single-bit error; a damaged CFG-2 leaves its data frames without a config.
        const want = inConfig ? 2 : frames.length - 1;
        if (total !== want)
          throw new Error(`bit ${bit} of byte ${at} flipped: ${total} frames decoded, expected ${want}`);
        if (d.counters.rejected['no-config'] !== (inConfig ? DATA_FRAMES : 0))
          throw new Error(`bit ${bit} of byte ${at}: wrong no-config count`);
      }
    }
  });

  it('decodeFrame returns a reject (never throws) and decodeFrameOrThrow throws only FrameFormatError', () => {
    const configFor = (id: number) => (id === sampleConfig.idcode ? sampleConfig : undefined);
    fc.assert(
      fc.property(fc.nat(frames.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
        const bytes = ms.reduce(apply, frames[i]);
        const result = decodeFrame(bytes, configFor);
        if (!result.ok) expect(result.reject.message.length).toBeGreaterThan(0);
        try {
          decodeFrameOrThrow(bytes, configFor);
        } catch (error) {
          expect(error).toBeInstanceOf(FrameFormatError);
        }
      }),
      { numRuns: 400 },
    );
  });
});

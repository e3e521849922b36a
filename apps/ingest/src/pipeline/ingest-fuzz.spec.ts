import { encodeFrame, StreamDecoder } from '@gridcloud/c37118';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { testConfig, testDataFrame } from '../testing/frames';
import { IngestPipeline } from './ingest-pipeline';

const SOC0 = 1_700_000_000;
const MS0 = SOC0 * 1000;
const MAX_FRAME_BYTES = 512;
const FRAMES = 12;

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'garbage'; at: number; bytes: number[] }
  | { kind: 'huge-size'; at: number }
  | { kind: 'repeat'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('garbage' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 80 }),
  }),
  fc.record({ kind: fc.constant('huge-size' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 60 }) }),
);

function mutate(bytes: number[], m: Mutation): number[] {
  const at = bytes.length === 0 ? 0 : m.at % bytes.length;
  switch (m.kind) {
    case 'flip':
      return bytes.map((b, i) => (i === at ? b ^ m.mask : b));
    case 'truncate':
      return bytes.slice(0, at);
    case 'garbage':
      return [...bytes.slice(0, at), ...m.bytes, ...bytes.slice(at)];
    case 'huge-size': {
      // Point a forged header at the largest FRAMESIZE: the decoder must not wait for 64 KiB.
      return [...bytes.slice(0, at), 0xaa, 0x01, 0xff, 0xff, ...bytes.slice(at)];
    }
    case 'repeat':
      return [...bytes.slice(0, at + m.length), ...bytes.slice(at)];
  }
}

class CountingSink implements SnapshotSink {
  readonly got: Snapshot[] = [];
  publish(s: Snapshot): void {
    this.got.push(s);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('ingest under mutated input (fuzz)', () => {
  it('never throws, stays within its bounds and keeps aligning a clean stream beside a mutated one', () => {
    const clean = testConfig(1, [1]);
    const dirty = testConfig(2, [2, 3]);
    const dirtyBytes = [...encodeFrame(dirty)];
    for (let k = 0; k < FRAMES; k += 1) dirtyBytes.push(...testDataFrame(dirty, SOC0, k));
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 97 }),
        (mutations, chunk) => {
          const bytes = Uint8Array.from(mutations.reduce(mutate, dirtyBytes));
          const sink = new CountingSink();
          const pipeline = new IngestPipeline(
            { framesPerSecond: 30, alignWindowMs: 20, maxPendingSnapshots: 4, maxFutureMs: 1000, maxPmus: 8 },
            sink,
          );
          let now = MS0;
          const decoder = (source: string): StreamDecoder =>
            new StreamDecoder(
              { maxFrameBytes: MAX_FRAME_BYTES },
              {
                onData: (v) => pipeline.onData(v, source, now),
                onFrame: (f) =>
                  f.kind === 'cfg2' || f.kind === 'cfg1' || f.kind === 'cfg3'
                    ? pipeline.onConfig(f, source, now)
                    : undefined,
                onReject: (r) => pipeline.onReject(r, source),
              },
            );
          const good = decoder('clean');
          const bad = decoder('dirty');
          good.push(encodeFrame(clean));
          const per = Math.ceil(bytes.length / FRAMES);
          for (let k = 0; k < FRAMES; k += 1) {
            now = MS0 + Math.round((k * 1000) / 30) + 1;
            good.push(testDataFrame(clean, SOC0, k));
            for (let at = k * per; at < Math.min(bytes.length, (k + 1) * per); at += chunk)
              bad.push(bytes.subarray(at, Math.min(at + chunk, (k + 1) * per, bytes.length)));
            pipeline.tick(now);
            expect(bad.bufferedBytes).toBeLessThanOrEqual(MAX_FRAME_BYTES);
            expect(pipeline.aligner.pendingSnapshots).toBeLessThanOrEqual(4);
          }
          bad.end();
          pipeline.flush(now + 1000);
          expect(sink.got.length).toBeGreaterThan(0);
          for (const s of sink.got) expect(s.pmuIds).toContain(1);
          expect(pipeline.sources.get('clean')?.rejects).toEqual({});
          expect(pipeline.quality.trackedPmus).toBeLessThanOrEqual(8);
        },
      ),
      { numRuns: 300 },
    );
  });
});

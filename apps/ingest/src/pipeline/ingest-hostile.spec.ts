import {
  buildConfig,
  dataFrameFromMeasurements,
  encodeFrame,
  StreamDecoder,
  type ConfigFrame,
} from '@gridcloud/c37118';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { testConfig, testDataFrame } from '../testing/frames';
import { IngestPipeline } from './ingest-pipeline';

/**
 * Peers that send well-formed frames with hostile content: any TIME_BASE,
 * DATA_RATE, SOC and FRACSEC, PMU IDCODEs that collide with a real PMU's,
 * configurations re-sent with other PMUs. Whatever they send, the pipeline
 * never throws (a throw in a socket handler or the tick would end the
 * process), snapshots leave in time order, and the real PMU's samples are
 * the only ones placed for it.
 */
const SOC0 = 1_700_000_000;
const MS0 = SOC0 * 1000;
const REAL = 7;

type Move =
  | { kind: 'config'; stream: number; pmus: number[]; timeBase: number; dataRate: number }
  | { kind: 'data'; stream: number; soc: number; fracsec: number }
  | { kind: 'tick'; ms: number };

const move: fc.Arbitrary<Move> = fc.oneof(
  fc.record({
    kind: fc.constant('config' as const),
    stream: fc.integer({ min: 1, max: 6 }),
    pmus: fc.uniqueArray(fc.integer({ min: 5, max: 12 }), { minLength: 1, maxLength: 4 }),
    timeBase: fc.oneof(fc.constant(1), fc.constant(1_000_000), fc.integer({ min: 1, max: 0xffffff })),
    dataRate: fc.oneof(
      fc.constantFrom(30, 60, 50, 0, -1, 1, 32_767, -32_768),
      fc.integer({ min: -32_768, max: 32_767 }),
    ),
  }),
  fc.record({
    kind: fc.constant('data' as const),
    stream: fc.integer({ min: 1, max: 6 }),
    soc: fc.oneof(fc.integer({ min: SOC0 - 2, max: SOC0 + 3 }), fc.constantFrom(0, 0xffffffff)),
    fracsec: fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.constant(0xffffff)),
  }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 120 }) }),
);

class OrderSink implements SnapshotSink {
  readonly slots: number[] = [];
  realStreams = new Set<number>();
  publish(s: Snapshot): void {
    this.slots.push(s.slot);
    s.values.forEach((v) => (v.idcode === REAL ? this.realStreams.add(v.streamIdcode) : undefined));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('ingest pipeline under hostile but well-formed frames (property)', () => {
  it("never throws, releases in order, and places only the real source's samples for its PMU", () => {
    fc.assert(
      fc.property(fc.array(move, { maxLength: 60 }), (moves) => {
        const sink = new OrderSink();
        const pipeline = new IngestPipeline(
          { alignWindowMs: 40, maxPendingSnapshots: 8, maxFutureMs: 1000, maxPmus: 6, maxPmusPerSource: 4 },
          sink,
        );
        let now = MS0;
        const decoderFor = (source: string, configured: boolean): StreamDecoder =>
          new StreamDecoder(
            { maxFrameBytes: 4096 },
            {
              onData: (v) => pipeline.onData(v, source, now),
              onFrame: (f) => (f.kind === 'cfg2' ? pipeline.onConfig(f, source, now, configured) : undefined),
              onReject: (r) => pipeline.onReject(r, source),
            },
          );
        const real = decoderFor('real', true);
        const hostile = decoderFor('hostile', false);
        const realConfig = testConfig(REAL, [REAL]);
        real.push(encodeFrame(realConfig));
        const configs = new Map<number, ConfigFrame>();
        let k = 0;
        for (const m of moves) {
          now += 5;
          real.push(testDataFrame(realConfig, SOC0, k++));
          if (m.kind === 'tick') pipeline.tick((now += m.ms));
          else if (m.kind === 'config') {
            const cfg = buildConfig({
              idcode: m.stream,
              timeBase: m.timeBase,
              dataRate: m.dataRate,
              pmus: m.pmus.map((id) => ({ stationName: `H${id}`, idcode: id, phasors: ['V'] })),
            });
            configs.set(m.stream, cfg);
            hostile.push(encodeFrame(cfg));
          } else {
            const cfg = configs.get(m.stream);
            if (cfg === undefined) continue;
            const values = cfg.pmus.map(() => ({ phasors: [1, 0], freqHz: 60, rocofHzPerS: 0 }));
            hostile.push(
              encodeFrame(dataFrameFromMeasurements(cfg, { soc: m.soc, fracsec: m.fracsec }, values), cfg),
            );
          }
        }
        pipeline.flush(now + 1000);
        expect(sink.slots).toEqual([...sink.slots].sort((a, b) => a - b));
        expect(new Set(sink.slots).size).toBe(sink.slots.length);
        expect([...sink.realStreams].every((s) => s === REAL)).toBe(true);
        expect(pipeline.registry.get(REAL)?.source).toBe('real');
        expect(pipeline.aligner.expectedPmus.length).toBeLessThanOrEqual(6);
      }),
      { numRuns: 300 },
    );
  });
});

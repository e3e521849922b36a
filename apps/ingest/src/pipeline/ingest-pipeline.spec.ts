import { encodeFrame, StreamDecoder } from '@gridcloud/c37118';
import { describe, expect, it } from 'vitest';
import type { LateFrame, Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { testConfig, testDataFrame } from '../testing/frames';
import { IngestPipeline } from './ingest-pipeline';

const SOC0 = 1_700_000_000;
const MS0 = SOC0 * 1000;

class CollectingSink implements SnapshotSink {
  readonly got: Snapshot[] = [];
  readonly late: LateFrame[] = [];
  publish(s: Snapshot): void {
    this.got.push(s);
  }
  publishLate(l: LateFrame): void {
    this.late.push(l);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function rig(): { pipeline: IngestPipeline; sink: CollectingSink; feed: (source: string, bytes: Uint8Array, nowMs: number) => void } {
  const sink = new CollectingSink();
  const pipeline = new IngestPipeline({ framesPerSecond: 30, alignWindowMs: 50, maxPendingSnapshots: 16, maxFutureMs: 1000, maxPmus: 100 }, sink);
  const decoders = new Map<string, StreamDecoder>();
  let now = 0;
  const feed = (source: string, bytes: Uint8Array, nowMs: number): void => {
    now = nowMs;
    let d = decoders.get(source);
    if (d === undefined) {
      d = new StreamDecoder({ maxFrameBytes: 4096 }, {
        onData: (v) => pipeline.onData(v, source, now),
        onFrame: (f) => (f.kind === 'cfg2' ? pipeline.onConfig(f, source, now) : undefined),
        onReject: (r) => pipeline.onReject(r, source),
      });
      decoders.set(source, d);
    }
    d.push(bytes);
  };
  return { pipeline, sink, feed };
}

describe('IngestPipeline', () => {
  it('splits multi-PMU frames, aligns them with single-PMU streams and copies values out of the reused view', () => {
    const { pipeline, sink, feed } = rig();
    const pdc = testConfig(500, [1, 2]);
    const pmu = testConfig(3, [3]);
    feed('a', encodeFrame(pdc), MS0);
    feed('b', encodeFrame(pmu), MS0);
    feed('a', testDataFrame(pdc, SOC0, 0), MS0 + 10);
    feed('a', testDataFrame(pdc, SOC0, 1), MS0 + 40);
    expect(sink.got).toHaveLength(0);
    feed('b', testDataFrame(pmu, SOC0, 0), MS0 + 41);
    expect(sink.got).toHaveLength(1);
    const s = sink.got[0];
    expect(s.complete).toBe(true);
    expect(s.pmuIds).toEqual([1, 2, 3]);
    expect(s.values[0].streamIdcode).toBe(500);
    expect(s.values[1].phasors[1]).toBeCloseTo(0.01, 6);
    // The PDC's frame for instant 1 overwrote the view; the snapshot for instant 0 must still hold instant 0's values.
    expect(s.values[0].phasors[0]).toBeCloseTo(1, 6);
    expect(pipeline.quality.forPmu(1)?.latencyMs.max).toBe(10);
  });

  it('treats a do-not-use STAT block as missing and counts it as a data error', () => {
    const { pipeline, sink, feed } = rig();
    const c = testConfig(9, [9]);
    const d = testConfig(8, [8]);
    feed('a', encodeFrame(c), MS0);
    feed('b', encodeFrame(d), MS0);
    feed('a', testDataFrame(c, SOC0, 0, 0xc000), MS0 + 1);
    feed('b', testDataFrame(d, SOC0, 0), MS0 + 2);
    pipeline.tick(MS0 + 100);
    expect(sink.got[0].missing).toEqual([9]);
    expect(pipeline.quality.forPmu(9)).toMatchObject({ dataErrors: 1, missing: 1 });
  });

  it('counts late frames and rejects per source and per PMU without disturbing other sources', () => {
    const { pipeline, sink, feed } = rig();
    const c = testConfig(1, [1]);
    const d = testConfig(2, [2]);
    feed('good', encodeFrame(c), MS0);
    feed('slow', encodeFrame(d), MS0);
    feed('good', testDataFrame(c, SOC0, 0), MS0 + 1);
    pipeline.tick(MS0 + 60);
    feed('slow', testDataFrame(d, SOC0, 0), MS0 + 70);
    const bad = testDataFrame(d, SOC0, 1);
    bad[bad.length - 1] ^= 0xff;
    feed('slow', bad, MS0 + 80);
    feed('good', testDataFrame(c, SOC0, 1), MS0 + 81);
    // The decoder reports a rejected candidate once the bytes after it show where the next frame starts.
    feed('slow', testDataFrame(d, SOC0, 2), MS0 + 82);
    expect(pipeline.quality.forPmu(2)).toMatchObject({ late: 1, crcErrors: 1 });
    expect(sink.late).toHaveLength(1);
    expect(sink.late[0]).toMatchObject({ slot: SOC0 * 30, ageMs: 70 });
    expect(sink.late[0].sample.idcode).toBe(2);
    expect(pipeline.sources.get('slow')?.rejects).toEqual({ crc: 1 });
    expect(pipeline.sources.get('good')?.rejects).toEqual({});
    pipeline.tick(MS0 + 200);
    expect(sink.got.map((s) => s.pmuIds)).toEqual([[1], [1], [2]]);
  });

  it('stops expecting PMUs a stream no longer carries after its configuration changes', () => {
    const { pipeline, feed } = rig();
    feed('a', encodeFrame(testConfig(500, [1, 2])), MS0);
    expect(pipeline.aligner.expectedPmus).toEqual([1, 2]);
    feed('a', encodeFrame({ ...testConfig(500, [1]), pmus: testConfig(500, [1]).pmus.map((p) => ({ ...p, cfgcnt: 2 })) }), MS0 + 1);
    expect(pipeline.aligner.expectedPmus).toEqual([1]);
    expect(pipeline.registry.get(1)?.cfgcnt).toBe(2);
  });
});

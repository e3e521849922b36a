import { buildConfig, dataFrameFromMeasurements, encodeFrame, StreamDecoder } from '@gridcloud/c37118';
import { decodeSnapshot, encodeSnapshot } from '@gridcloud/estimation';
import { describe, expect, it } from 'vitest';
import type { LateFrame, Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { testConfig, testDataFrame } from '../testing/frames';
import { IngestPipeline, type PipelineOptions } from './ingest-pipeline';

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

type Feed = (source: string, bytes: Uint8Array, nowMs: number, configured?: boolean) => void;

function rig(over: Partial<PipelineOptions> = {}): {
  pipeline: IngestPipeline;
  sink: CollectingSink;
  feed: Feed;
} {
  const sink = new CollectingSink();
  const pipeline = new IngestPipeline(
    {
      framesPerSecond: 30,
      alignWindowMs: 50,
      maxPendingSnapshots: 16,
      maxFutureMs: 1000,
      maxPmus: 100,
      ...over,
    },
    sink,
  );
  const decoders = new Map<string, StreamDecoder>();
  let now = 0;
  let configured = false;
  const feed: Feed = (source, bytes, nowMs, asConfigured = false) => {
    now = nowMs;
    configured = asConfigured;
    let d = decoders.get(source);
    if (d === undefined) {
      d = new StreamDecoder(
        { maxFrameBytes: 4096 },
        {
          onData: (v) => pipeline.onData(v, source, now),
          onFrame: (f) => (f.kind === 'cfg2' ? pipeline.onConfig(f, source, now, configured) : undefined),
          onReject: (r) => pipeline.onReject(r, source),
        },
      );
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

  it("keeps each released snapshot's values after its slot's records are reused, and a late sample's own", () => {
    const { pipeline, sink, feed } = rig();
    const pdc = testConfig(500, [1, 2]);
    const pmu = testConfig(3, [3]);
    feed('a', encodeFrame(pdc), MS0);
    feed('b', encodeFrame(pmu), MS0);
    // More instants than maxPendingSnapshots (16), each frame sent twice (the copy is refused as a duplicate).
    const instants = 40;
    for (let k = 0; k < instants; k += 1) {
      const at = MS0 + 33 * k;
      feed('a', testDataFrame(pdc, SOC0, k), at + 1);
      feed('a', testDataFrame(pdc, SOC0, k), at + 2);
      if (k !== 7) feed('b', testDataFrame(pmu, SOC0, k), at + 3);
      pipeline.tick(at + 30);
    }
    feed('b', testDataFrame(pmu, SOC0, 7), MS0 + 33 * instants);
    pipeline.flush(MS0 + 33 * instants);
    expect(sink.got).toHaveLength(instants);
    sink.got.forEach((s, k) => {
      expect(s.slot).toBe(SOC0 * 30 + k);
      expect(s.pmuIds).toEqual(k === 7 ? [1, 2] : [1, 2, 3]);
      s.values.forEach((v, i) => {
        expect(v.phasors[0]).toBeCloseTo(1 + k / 1000, 6);
        expect(v.phasors[1]).toBeCloseTo((v.idcode === 3 ? 0 : i) / 100, 6);
        expect(v.soc).toBe(SOC0 + Math.floor(k / 30));
      });
    });
    expect(pipeline.quality.forPmu(1)).toMatchObject({ duplicates: instants });
    expect(sink.late).toHaveLength(1);
    expect(sink.late[0].sample).toMatchObject({ idcode: 3, streamIdcode: 3, soc: SOC0 });
    expect(sink.late[0].sample.phasors[0]).toBeCloseTo(1 + 7 / 1000, 6);
  });

  it('counts late frames without making their samples when the sink takes none, and keeps aligning', () => {
    const { pipeline, sink, feed } = rig();
    Object.assign(sink, { takesLate: false });
    const c = testConfig(1, [1]);
    const d = testConfig(2, [2]);
    feed('good', encodeFrame(c), MS0);
    feed('slow', encodeFrame(d), MS0);
    for (let k = 0; k < 5; k += 1) feed('good', testDataFrame(c, SOC0, k), MS0 + 33 * k);
    pipeline.tick(MS0 + 300);
    for (let k = 0; k < 5; k += 1) feed('slow', testDataFrame(d, SOC0, k), MS0 + 301);
    expect(pipeline.quality.forPmu(2)).toMatchObject({ late: 5 });
    expect(sink.late).toHaveLength(0);
    feed('good', testDataFrame(c, SOC0, 5), MS0 + 302);
    feed('slow', testDataFrame(d, SOC0, 5), MS0 + 303);
    expect(sink.got.at(-1)).toMatchObject({ slot: SOC0 * 30 + 5, pmuIds: [1, 2], complete: true });
    expect(sink.got.at(-1)!.values[1].phasors[0]).toBeCloseTo(1 + 5 / 1000, 6);
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
    feed(
      'a',
      encodeFrame({
        ...testConfig(500, [1]),
        pmus: testConfig(500, [1]).pmus.map((p) => ({ ...p, cfgcnt: 2 })),
      }),
      MS0 + 1,
    );
    expect(pipeline.aligner.expectedPmus).toEqual([1]);
    expect(pipeline.registry.get(1)?.cfgcnt).toBe(2);
  });

  it('never lets a CRC-failed frame create a PMU entry: garbage IDCODEs count against their source, real PMUs keep their places', () => {
    const { pipeline, feed } = rig({ maxPmus: 3 });
    for (let i = 0; i < 500; i += 1) {
      const bad = testDataFrame(testConfig(2000 + i, [2000 + i]), SOC0, 0);
      bad[bad.length - 1] ^= 0x55;
      feed('garbage', bad, MS0);
    }
    const real = [testConfig(1, [1]), testConfig(2, [2]), testConfig(3, [3])];
    real.forEach((c, i) => feed(`pmu${i}`, encodeFrame(c), MS0 + 1));
    real.forEach((c, i) => feed(`pmu${i}`, testDataFrame(c, SOC0, 0), MS0 + 2));
    // The last candidate's reject waits for the bytes after it, as the decoder reports each with its skipped run.
    expect(pipeline.sources.get('garbage')?.rejects.crc).toBe(499);
    expect(pipeline.quality.trackedPmus).toBe(3);
    expect(pipeline.quality.report().pmus.map((p) => p.pmuId)).toEqual([1, 2, 3]);
    expect(pipeline.aligner.expectedPmus).toEqual([1, 2, 3]);
  });

  it('binds a PMU to its source: an intruder announcing it, injecting samples and withdrawing it changes nothing', () => {
    const { pipeline, sink, feed } = rig();
    const real = testConfig(7, [7]);
    feed('real', encodeFrame(real), MS0);
    const fake = testConfig(900, [7]);
    feed('intruder', encodeFrame(fake), MS0 + 1);
    feed('intruder', testDataFrame(fake, SOC0, 0), MS0 + 2);
    feed('intruder', encodeFrame(testConfig(900, [8])), MS0 + 3);
    feed('real', testDataFrame(real, SOC0, 0), MS0 + 4);
    expect(pipeline.aligner.expectedPmus).toEqual([7, 8]);
    const intruder = pipeline.sources.get('intruder')!;
    expect(intruder.refused).toEqual({ pmu: 1, 'unbound-sample': 1 });
    expect(intruder.recentErrors).toContain('PMU 7 is bound to real; refused from intruder');
    pipeline.tick(MS0 + 100);
    expect(sink.got[0].values[0].streamIdcode).toBe(7);
  });

  it("aligns at the first configuration's DATA_RATE when no rate is pinned, decimates a faster multiple and refuses any other rate", () => {
    const { pipeline, sink, feed } = rig({ framesPerSecond: undefined });
    const at60 = testConfig(1, [1], 60);
    feed('a', encodeFrame(at60), MS0);
    expect(pipeline.rate.framesPerSecond).toBe(60);
    const at120 = testConfig(2, [2], 120);
    feed('b', encodeFrame(at120), MS0);
    feed('c', encodeFrame(testConfig(3, [3], 50)), MS0);
    expect(pipeline.aligner.expectedPmus).toEqual([1, 2]);
    expect(pipeline.sources.get('c')?.refused).toEqual({ config: 1 });
    expect(pipeline.sources.get('c')?.recentErrors[0]).toMatch(
      /DATA_RATE 50 \(50 frames\/s\) is not a whole multiple of the alignment rate 60 frames\/s/,
    );
    for (let k = 0; k < 4; k += 1) feed('b', testDataFrame(at120, SOC0, k, 0, 120), MS0 + 5 + k);
    for (let k = 0; k < 2; k += 1) feed('a', testDataFrame(at60, SOC0, k, 0, 60), MS0 + 10 + k);
    expect(sink.got.map((s) => [s.slot - SOC0 * 60, s.pmuIds, s.complete])).toEqual([
      [0, [1, 2], true],
      [1, [1, 2], true],
    ]);
    expect(pipeline.sources.get('b')?.decimatedFrames).toBe(2);
  });

  it('takes the alignment rate only from a configured source when told so', () => {
    const { pipeline, feed } = rig({ framesPerSecond: undefined, rateFrom: 'configured' });
    feed('udp', encodeFrame(testConfig(1, [1], 10)), MS0);
    expect(pipeline.rate.framesPerSecond).toBeUndefined();
    expect(pipeline.sources.get('udp')?.refused).toEqual({ config: 1 });
    feed('tcp', encodeFrame(testConfig(2, [2], 30)), MS0, true);
    feed('udp', encodeFrame(testConfig(1, [1], 30)), MS0 + 1);
    expect(pipeline.rate.framesPerSecond).toBe(30);
    expect(pipeline.aligner.expectedPmus).toEqual([1, 2]);
  });

  it('refuses a sample whose FRACSEC passes TIME_BASE as invalid-time, counted against its source, and keeps aligning', () => {
    const { pipeline, sink, feed } = rig();
    const c = testConfig(5, [5]);
    feed('odd', encodeFrame(c), MS0);
    const m = [{ phasors: [1, 0, 0.5, 0], freqHz: 60, rocofHzPerS: 0 }];
    feed('odd', encodeFrame(dataFrameFromMeasurements(c, { soc: SOC0, fracsec: 0xffffff }, m), c), MS0 + 1);
    expect(pipeline.sources.get('odd')?.refused).toEqual({ 'invalid-time': 1 });
    feed('odd', testDataFrame(c, SOC0, 1), MS0 + 40);
    expect(sink.got).toHaveLength(1);
  });

  it("hands each PMU's analogs and digital words on with its aligned sample, through the snapshot encoding", () => {
    const { sink, feed } = rig();
    const c = buildConfig({
      idcode: 60_000,
      dataRate: 30,
      pmus: [
        { stationName: 'A', idcode: 21, phasors: ['V'], analogs: ['MW#3', 'MVAR#3'], digitalWords: 1 },
        { stationName: 'B', idcode: 22, phasors: ['V'], format: { analogFloat: false }, digitalWords: 2 },
      ],
    });
    feed('s', encodeFrame(c), MS0);
    const m = [
      { phasors: [1, 0], freqHz: 60, rocofHzPerS: 0, analogs: [120.5, -7.25], digitals: [0xfffd] },
      { phasors: [1, 0], freqHz: 60, rocofHzPerS: 0, digitals: [1, 0x8000] },
    ];
    feed('s', encodeFrame(dataFrameFromMeasurements(c, { soc: SOC0, fracsec: 0 }, m), c), MS0 + 1);
    expect(sink.got).toHaveLength(1);
    const [a, b] = sink.got[0].values;
    expect([...a.analogs, ...a.digitals]).toEqual([120.5, -7.25, 0xfffd]);
    expect([...b.analogs, ...b.digitals]).toEqual([1, 0x8000]);
    const d = decodeSnapshot(encodeSnapshot(sink.got[0], 1));
    expect([...d.analogs]).toEqual([120.5, -7.25]);
    expect([...d.digitalStart, ...d.digitals]).toEqual([0, 1, 3, 0xfffd, 1, 0x8000]);
  });

  it('keeps a data frame of a refused rate out of alignment (its stream was withdrawn)', () => {
    const { pipeline, feed } = rig();
    const c = testConfig(4, [4]);
    feed('s', encodeFrame(c), MS0);
    const at45 = testConfig(4, [4], 45);
    feed('s', encodeFrame(at45), MS0 + 1);
    expect(pipeline.aligner.expectedPmus).toEqual([]);
    feed('s', testDataFrame(at45, SOC0, 0, 0, 45), MS0 + 2);
    expect(pipeline.sources.get('s')?.refused).toEqual({ config: 1, 'unbound-sample': 1 });
    expect(pipeline.aligner.counters.framesOffered).toBe(0);
  });
});

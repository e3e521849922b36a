import { encodeFrame, StreamDecoder, type ConfigFrame } from '@gridcloud/c37118';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LateFrame, Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { testConfig, testDataFrame } from '../testing/frames';
import { IngestPipeline } from './ingest-pipeline';

/**
 * A deterministic run of the whole ingest core over a seeded faulty
 * network: frames are delayed, reordered, dropped, duplicated and corrupted,
 * time is simulated, and invariants are checked afterwards. fast-check
 * prints the seed of a failing run, which replays it exactly.
 */
const SOC0 = 1_700_000_000;
const FPS = 30;
const WINDOW_MS = 60;
const INSTANTS = 40;

interface Delivery {
  atMs: number;
  source: string;
  bytes: Uint8Array;
  seq: number;
}

/** Mulberry32: the network's own seeded randomness. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Faults {
  maxDelayMs: number;
  drop: number;
  duplicate: number;
  corrupt: number;
}

function schedule(streams: readonly ConfigFrame[], faults: Faults, rnd: () => number): Delivery[] {
  const out: Delivery[] = [];
  let seq = 0;
  for (const cfg of streams)
    out.push({ atMs: SOC0 * 1000 - 100, source: `s${cfg.idcode}`, bytes: encodeFrame(cfg), seq: seq++ });
  for (let k = 0; k < INSTANTS; k += 1) {
    for (const cfg of streams) {
      if (rnd() < faults.drop) continue;
      const bytes = testDataFrame(cfg, SOC0, k);
      const copies = rnd() < faults.duplicate ? 2 : 1;
      for (let c = 0; c < copies; c += 1) {
        const sent = c === 0 || rnd() >= faults.corrupt ? bytes : corrupt(bytes, rnd);
        out.push({
          atMs: SOC0 * 1000 + (k * 1000) / FPS + rnd() * faults.maxDelayMs,
          source: `s${cfg.idcode}`,
          bytes: sent,
          seq: seq++,
        });
      }
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
}

function corrupt(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[14 + Math.floor(rnd() * (copy.length - 16))] ^= 1 + Math.floor(rnd() * 255);
  return copy;
}

class Recorder implements SnapshotSink {
  readonly snapshots: Snapshot[] = [];
  readonly late: LateFrame[] = [];
  publish(s: Snapshot): void {
    this.snapshots.push(s);
  }
  publishLate(l: LateFrame): void {
    this.late.push(l);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function run(seed: number, faults: Faults): { sink: Recorder; pipeline: IngestPipeline; expected: number[] } {
  const streams = [testConfig(1, [1]), testConfig(2, [2]), testConfig(500, [10, 11, 12]), testConfig(3, [3])];
  const sink = new Recorder();
  const pipeline = new IngestPipeline(
    {
      framesPerSecond: FPS,
      alignWindowMs: WINDOW_MS,
      maxPendingSnapshots: 8,
      maxFutureMs: 1000,
      maxPmus: 64,
    },
    sink,
  );
  const decoders = new Map<string, StreamDecoder>();
  let now = 0;
  for (const cfg of streams) {
    const label = `s${cfg.idcode}`;
    decoders.set(
      label,
      new StreamDecoder(
        { maxFrameBytes: 1024 },
        {
          onData: (v) => pipeline.onData(v, label, now),
          onFrame: (f) => (f.kind === 'cfg2' ? pipeline.onConfig(f, label, now) : undefined),
          onReject: (r) => pipeline.onReject(r, label),
        },
      ),
    );
  }
  for (const d of schedule(streams, faults, random(seed))) {
    // The aligner's clock ticks every 5 ms between deliveries, as the runtime's interval does.
    for (let t = Math.max(now, d.atMs - 200); t < d.atMs; t += 5) pipeline.tick((now = t));
    now = d.atMs;
    decoders.get(d.source)!.pushDatagram(d.bytes);
  }
  pipeline.flush(now + 1000);
  return { sink, pipeline, expected: [1, 2, 3, 10, 11, 12] };
}

function checkInvariants(
  sink: Recorder,
  pipeline: IngestPipeline,
  expected: readonly number[],
  faults: Faults,
): void {
  const slots = sink.snapshots.map((s) => s.slot);
  expect(slots, 'snapshots leave in timestamp order, once each').toEqual(
    [...new Set(slots)].sort((a, b) => a - b),
  );
  const placed = new Set<string>();
  for (const s of sink.snapshots) {
    expect(
      [...s.pmuIds, ...s.missing].sort((a, b) => a - b),
      `slot ${s.slot} names every expected PMU once`,
    ).toEqual(expected);
    expect(s.complete).toBe(s.missing.length === 0);
    s.pmuIds.forEach((id, i) => {
      expect(s.values[i].idcode).toBe(id);
      placed.add(`${id}@${s.slot}`);
    });
  }
  // Without duplicates on the wire, a late frame is one its snapshot lacks; with them it may be the second copy.
  if (faults.duplicate === 0)
    for (const l of sink.late)
      expect(placed.has(`${l.sample.idcode}@${l.slot}`), 'late frame also in its snapshot').toBe(false);
  const c = pipeline.aligner.counters;
  expect(c.framesOffered, 'every decoded sample is placed, late or refused').toBe(
    c.framesPlaced +
      c.framesLate +
      c.refused.duplicate +
      c.refused.future +
      c.refused['unexpected-pmu'] +
      c.refused['invalid-time'],
  );
  expect(c.framesLate).toBe(sink.late.length);
  const missingByPmu = new Map<number, number>();
  for (const s of sink.snapshots)
    for (const id of s.missing) missingByPmu.set(id, (missingByPmu.get(id) ?? 0) + 1);
  for (const id of expected)
    expect(pipeline.quality.forPmu(id)?.missing ?? 0, `PMU ${id} missing count`).toBe(
      missingByPmu.get(id) ?? 0,
    );
}

describe('ingest over a seeded faulty network (deterministic simulation)', () => {
  it('keeps every invariant whatever the delays, drops, duplicates and corruption', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.record({
          maxDelayMs: fc.integer({ min: 0, max: 400 }),
          drop: fc.double({ min: 0, max: 0.3, noNaN: true }),
          duplicate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true })),
          corrupt: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        (seed, faults) => {
          const { sink, pipeline, expected } = run(seed, faults);
          checkInvariants(sink, pipeline, expected, faults);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with delays inside the window and a perfect network, every snapshot is complete and nothing is late', () => {
    const { sink, pipeline } = run(42, { maxDelayMs: WINDOW_MS / 2, drop: 0, duplicate: 0, corrupt: 0 });
    expect(sink.snapshots).toHaveLength(INSTANTS);
    expect(sink.snapshots.every((s) => s.complete)).toBe(true);
    expect(sink.late).toHaveLength(0);
    expect(pipeline.aligner.counters.framesPlaced).toBe(INSTANTS * 6);
  });

  it('counts every corrupted copy as a reject and every dropped frame as missing', () => {
    const { sink, pipeline } = run(7, { maxDelayMs: 10, drop: 0.1, duplicate: 0.2, corrupt: 1 });
    const rejects =
      pipeline.quality
        .report()
        .pmus.reduce((n, p) => n + Object.values(p.rejects).reduce((a, b) => a + b, 0), 0) +
      Object.values(pipeline.quality.report().unattributedRejects).reduce((a, b) => a + b, 0);
    expect(rejects).toBeGreaterThan(0);
    const missing = sink.snapshots.reduce((n, s) => n + s.missing.length, 0);
    expect(missing + pipeline.aligner.counters.framesPlaced).toBe(sink.snapshots.length * 6);
  });
});

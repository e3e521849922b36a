import fs from 'node:fs';
import {
  ConfigStore,
  decodeFrameOrThrow,
  decodeStat,
  StreamDecoder,
  type DataFrameView,
} from '@gridcloud/c37118';
import { parseMatpowerCase, SeededRandom } from '@gridcloud/grid';
import { describe, expect, it } from 'vitest';
import { casePath } from '../testing/case-files';
import { GridTruth } from './grid-truth';
import { DEFAULT_MOTION } from './motion';
import { PmuSimulator, type SimModelOptions } from './pmu-simulator';

const CASE14 = parseMatpowerCase(fs.readFileSync(casePath('case14.m'), 'utf8'), 'case14.m');
const FPS = 30;
const SLOT0 = 1_700_000_000 * FPS;

function simulator(over: Partial<SimModelOptions> = {}): PmuSimulator {
  const grid = new GridTruth(CASE14, 'greedy');
  const options: SimModelOptions = {
    framesPerSecond: FPS,
    pmuCount: grid.pmuBuses.length,
    pmusPerStream: 1,
    idcodeBase: 100,
    streamIdcodeBase: 60_000,
    noiseSigmaPu: 0,
    freqNoiseHz: 0,
    freqFormat: 'float',
    resolveIntervalS: 1,
    motion: { ...DEFAULT_MOTION, freqDeviationHz: 0, loadDriftAmplitude: 0 },
    events: [],
    ...over,
  };
  return new PmuSimulator(options, grid, new SeededRandom(7));
}

/** Decodes every frame of a slot through the codec, with each stream's CFG-2 known. */
function decodeSlot(
  sim: PmuSimulator,
  slot: number,
): { idcode: number; stat: number[]; phasors: number[]; freq: number[]; time: number; tq: number }[] {
  // Frames first: producing a slot may apply a configuration change.
  const frames = sim.framesAt(slot);
  const configs = new ConfigStore();
  for (const s of sim.streams) configs.put(s.config);
  const out: ReturnType<typeof decodeSlot> = [];
  const decoder = new StreamDecoder(
    { maxFrameBytes: 65_535, configs },
    {
      onData: (v: DataFrameView) =>
        out.push({
          idcode: v.idcode,
          stat: [...v.stat],
          phasors: [...v.phasors],
          freq: [...v.freq],
          time: v.time,
          tq: v.timeQualityCode,
        }),
      onReject: (r) => {
        throw new Error(`simulator frame rejected: ${r.message}`);
      },
    },
  );
  for (const { bytes } of frames) decoder.push(bytes);
  return out;
}

describe('PmuSimulator', () => {
  it('streams noise-free frames equal (to float32) to the power-flow truth, stamped at the slot', () => {
    const sim = simulator();
    const frames = decodeSlot(sim, SLOT0 + 3);
    expect(frames).toHaveLength(sim.streams.length);
    const point = sim.operatingPoint!;
    const pmu = sim.pmus[0];
    expect(frames[0].phasors[0]).toBeCloseTo(point.vRe[pmu.bus], 6);
    expect(frames[0].phasors[1]).toBeCloseTo(point.vIm[pmu.bus], 6);
    expect(frames[0].time).toBeCloseTo(1_700_000_000 + 3 / FPS, 6);
    expect(frames[0].freq[0]).toBeCloseTo(60, 5);
    // Kirchhoff at the PMU bus: currents into its branches sum to the bus injection, so they are not all zero.
    expect(frames[0].phasors.slice(2).some((x) => Math.abs(x) > 1e-3)).toBe(true);
  });

  it('decodes through the codec object decoder byte-exactly as the configuration describes', () => {
    const sim = simulator({ pmusPerStream: 3, noiseSigmaPu: 0.01 });
    const [{ stream, bytes }] = sim.framesAt(SLOT0);
    const frame = decodeFrameOrThrow(bytes, () => stream.config);
    expect(frame.kind).toBe('data');
    expect(frame.idcode).toBe(60_000);
    if (frame.kind === 'data') expect(frame.pmus).toHaveLength(3);
  });

  it('adds seeded noise with the configured sigma', () => {
    const clean = decodeSlot(simulator(), SLOT0)[0].phasors;
    const diffs: number[] = [];
    const noisy = simulator({ noiseSigmaPu: 0.01 });
    for (let k = 0; k < 200; k += 1) {
      const p = decodeSlot(noisy, SLOT0)[0].phasors;
      diffs.push(p[0] - clean[0]);
    }
    const sd = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    expect(sd).toBeGreaterThan(0.008);
    expect(sd).toBeLessThan(0.012);
  });

  it('drops a PMU out, flags GPS unlock, and re-solves with new flows after a line trip', () => {
    const first = simulator().pmus[0].idcode;
    const sim = simulator({
      events: [
        { kind: 'dropout', idcode: first, fromS: 1, toS: 2 },
        { kind: 'gps-unlock', idcode: first + 1, fromS: 0, toS: 10 },
        { kind: 'trip-line', branch: 0, atS: 2 },
      ],
    });
    const at0 = decodeSlot(sim, SLOT0);
    const before = sim.operatingPoint!;
    expect(at0.map((f) => f.idcode)).toContain(first);
    const unlocked = at0.find((f) => f.idcode === first + 1)!;
    expect(decodeStat(unlocked.stat[0]).syncLost).toBe(true);
    expect(unlocked.tq).not.toBe(0);
    expect(decodeSlot(sim, SLOT0 + 45).map((f) => f.idcode)).not.toContain(first);
    const afterTrip = decodeSlot(sim, SLOT0 + 61);
    expect(sim.operatingPoint!.tripped).toEqual([0]);
    expect(sim.operatingPoint!.va[1]).not.toBeCloseTo(before.va[1], 4);
    // Bus 1 (PMU 0) measures branch 0 first: once tripped its current is zero.
    const pmu0 = afterTrip.find((f) => f.idcode === first)!;
    expect(Math.hypot(pmu0.phasors[2], pmu0.phasors[3])).toBeLessThan(1e-9);
  });

  it('keeps streaming when trips split the grid: the cut-off load bus 12 is de-energized, the rest solved', () => {
    const row = (from: number, to: number): number =>
      CASE14.branches.findIndex((b) => b.from === from && b.to === to);
    const [b612, b1213] = [row(6, 12), row(12, 13)];
    const sim = simulator({
      events: [
        { kind: 'trip-line', branch: b612, atS: 1 },
        { kind: 'trip-line', branch: b1213, atS: 1 },
      ],
    });
    const before = decodeSlot(sim, SLOT0);
    const after = decodeSlot(sim, SLOT0 + 31);
    const point = sim.operatingPoint!;
    expect(point.tripped).toEqual([b612, b1213]);
    const bus12 = point.net.indexOf(12);
    expect([...point.deEnergized]).toEqual([bus12]);
    expect(point.vm[bus12]).toBe(0);
    expect(point.vm.every((v, i) => i === bus12 || v > 0.9)).toBe(true);
    expect(after.map((f) => f.idcode)).toEqual(before.map((f) => f.idcode));
    expect(after.every((f) => f.phasors.every(Number.isFinite))).toBe(true);
  });

  it('writes int16 FREQ/DFREQ (mHz from nominal) when asked, decoded back to the same frequency', () => {
    const sim = simulator({
      freqFormat: 'int16',
      motion: { ...DEFAULT_MOTION, freqDeviationHz: 0.02, loadDriftAmplitude: 0, freqPeriodS: 20 },
    });
    decodeSlot(sim, SLOT0);
    const [f] = decodeSlot(sim, SLOT0 + 150);
    const expected = 60 + 0.02 * Math.sin((2 * Math.PI * 5) / 20);
    expect(f.freq[0]).toBeCloseTo(expected, 3);
    expect(sim.streams[0].config.pmus[0].format.freqFloat).toBe(false);
  });

  it('announces a configuration change with STAT bit 10, then bumps CFGCNT and drops a channel', () => {
    const first = simulator().pmus[0].idcode;
    const sim = simulator({ events: [{ kind: 'config-change', idcode: first, atS: 2 }] });
    const channels = sim.streamById(first)!.pmus[0].channels.length;
    expect(decodeStat(decodeSlot(sim, SLOT0)[0].stat[0]).configChangePending).toBe(false);
    expect(decodeStat(decodeSlot(sim, SLOT0 + 45)[0].stat[0]).configChangePending).toBe(true);
    const after = decodeSlot(sim, SLOT0 + 60);
    const stream = sim.streamById(first)!;
    expect(stream.config.pmus[0].cfgcnt).toBe(2);
    expect(stream.pmus[0].channels).toHaveLength(channels - 1);
    expect(after[0].phasors).toHaveLength(2 * (channels - 1));
    expect(decodeStat(after[0].stat[0]).configChangePending).toBe(false);
  });

  it('marks a dropped PMU inside a multi-PMU frame as do-not-use rather than omitting the frame', () => {
    const first = simulator().pmus[0].idcode;
    const sim = simulator({
      pmusPerStream: 2,
      events: [{ kind: 'dropout', idcode: first, fromS: 0, toS: 5 }],
    });
    const [f] = decodeSlot(sim, SLOT0);
    expect(decodeStat(f.stat[0]).dataError).toBe(3);
    expect(decodeStat(f.stat[1]).dataError).toBe(0);
  });
});

describe('PmuSimulator stream formats', () => {
  const LINE_POWER_AND_BREAKERS = { linePower: true, breakers: true };

  it.each(['rect-float', 'polar-float', 'rect-int16', 'polar-int16'] as const)(
    'sends %s phasors that decode to the same per-unit values as float rectangular',
    (phasors) => {
      const reference = decodeSlot(simulator(), SLOT0)[0].phasors;
      const sim = simulator({ format: { phasors, linePower: false, breakers: false } });
      const got = decodeSlot(sim, SLOT0)[0].phasors;
      expect(got).toHaveLength(reference.length);
      got.forEach((x, i) => expect(Math.abs(x - reference[i])).toBeLessThan(3e-4));
    },
  );

  it('sends MW and MVAr per branch end that are V x conj(I) x baseMVA of the same frame', () => {
    const sim = simulator({ format: { phasors: 'rect-float', ...LINE_POWER_AND_BREAKERS } });
    const frames = sim.framesAt(SLOT0);
    const { stream, bytes } = frames[0];
    const frame = decodeFrameOrThrow(bytes, () => stream.config);
    if (frame.kind !== 'data') throw new Error('expected a data frame');
    const [pmu] = frame.pmus;
    const currents = stream.pmus[0].channels.length - 1;
    expect(pmu.analogs).toHaveLength(2 * currents);
    const [vr, vi] = pmu.phasors;
    for (let k = 0; k < currents; k += 1) {
      const [ir, ii] = pmu.phasors.slice(2 + 2 * k, 4 + 2 * k);
      expect(pmu.analogs[2 * k]).toBeCloseTo((vr * ir + vi * ii) * CASE14.baseMVA, 3);
      expect(pmu.analogs[2 * k + 1]).toBeCloseTo((vi * ir - vr * ii) * CASE14.baseMVA, 3);
    }
    expect(stream.config.pmus[0].analogs.map((a) => a.name)).toEqual(
      stream.pmus[0].channels.slice(1).flatMap((c) => [`MW#${c.branch}`, `MVAR#${c.branch}`]),
    );
  });

  it("opens a tripped line's breaker bit in the frame of the trip, at both of its ends", () => {
    const sim = simulator({
      format: { phasors: 'polar-int16', ...LINE_POWER_AND_BREAKERS },
      events: [{ kind: 'trip-line', branch: 0, atS: 2 }],
    });
    const words = (slot: number): Map<number, number[]> => {
      const out = new Map<number, number[]>();
      for (const { stream, bytes } of sim.framesAt(slot)) {
        const f = decodeFrameOrThrow(bytes, () => stream.config);
        if (f.kind === 'data') out.set(stream.idcode, [...f.pmus[0].digitals]);
      }
      return out;
    };
    const ends = sim.streams.filter((s) => s.config.pmus[0].digitals[0]?.names.includes('BRK#0'));
    expect(ends.length).toBeGreaterThan(0);
    const bitOf = (s: (typeof ends)[number]): number => s.config.pmus[0].digitals[0].names.indexOf('BRK#0');
    words(SLOT0);
    const before = words(SLOT0 + 2 * FPS - 1);
    const at = words(SLOT0 + 2 * FPS);
    for (const s of ends) {
      expect((before.get(s.idcode)![0] >> bitOf(s)) & 1).toBe(1);
      expect((at.get(s.idcode)![0] >> bitOf(s)) & 1).toBe(0);
      // The other breakers of that PMU stay closed.
      const others = s.config.pmus[0].digitals[0].validMask & ~(1 << bitOf(s));
      expect(at.get(s.idcode)![0] & others).toBe(others);
    }
  });

  it('formats one stream differently from the rest when asked by its IDCODE', () => {
    const first = simulator().pmus[0].idcode;
    const sim = simulator({
      streamFormats: new Map([[first, { phasors: 'polar-int16', ...LINE_POWER_AND_BREAKERS }]]),
    });
    expect(sim.streamById(first)!.config.pmus[0].format).toMatchObject({ polar: true, phasorFloat: false });
    expect(sim.streamById(first + 1)!.config.pmus[0].format).toMatchObject({
      polar: false,
      phasorFloat: true,
    });
    expect(sim.streamById(first + 1)!.config.pmus[0].analogs).toEqual([]);
    expect(decodeSlot(sim, SLOT0)).toHaveLength(sim.streams.length);
  });
});

import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseMatpowerCase, SeededRandom } from '@gridcloud/grid';
import { afterEach, describe, expect, it } from 'vitest';
import { GridTruth } from '../model/grid-truth';
import { DEFAULT_MOTION } from '../model/motion';
import { PmuSimulator, type SimModelOptions } from '../model/pmu-simulator';
import { casePath } from '../testing/case-files';
import { LookAheadTruth } from './look-ahead-truth';

const CASE14 = parseMatpowerCase(fs.readFileSync(casePath('case14.m'), 'utf8'), 'case14.m');
const FPS = 30;
const SLOT0 = 1_700_000_000 * FPS;
const TRIP_AT_S = 0.5;

function simulator(): PmuSimulator {
  const grid = new GridTruth(CASE14, 'greedy');
  const options: SimModelOptions = {
    framesPerSecond: FPS,
    pmuCount: grid.pmuBuses.length,
    pmusPerStream: 'all',
    idcodeBase: 100,
    streamIdcodeBase: 60_000,
    noiseSigmaPu: 0.002,
    freqNoiseHz: 0,
    freqFormat: 'float',
    // A drift step every 0.1 s: a new operating point every few frames, and a trip between two of them.
    resolveIntervalS: 0.1,
    motion: { ...DEFAULT_MOTION, loadDriftAmplitude: 0.05, loadDriftPeriodS: 2 },
    events: [{ kind: 'trip-line', branch: 6, atS: TRIP_AT_S }],
  };
  return new PmuSimulator(options, grid, new SeededRandom(7));
}

const opened: LookAheadTruth[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
});

describe('LookAheadTruth', () => {
  it('gives frame for frame the bytes of solving on the emitting thread, the trip in its scheduled frame', async () => {
    const plain = simulator();
    const ahead = simulator();
    const lookAhead = new LookAheadTruth(ahead.grid, ahead.schedule, 3);
    opened.push(lookAhead);
    ahead.useTruthSource(lookAhead);
    await lookAhead.started;
    let tripSlot: number | undefined;
    for (let k = 0; k < FPS; k += 1) {
      const want = plain.framesAt(SLOT0 + k).map((f) => Buffer.from(f.bytes).toString('hex'));
      const got = ahead.framesAt(SLOT0 + k).map((f) => Buffer.from(f.bytes).toString('hex'));
      expect(got).toEqual(want);
      if (tripSlot === undefined && ahead.operatingPoint!.tripped.length > 0) tripSlot = SLOT0 + k;
      // Frames are 33 ms apart in a real run: the worker answers in between.
      await sleep(20);
    }
    expect(tripSlot).toBe(SLOT0 + TRIP_AT_S * FPS);
    expect(lookAhead.counters.solvedAhead).toBeGreaterThan(0);
    expect(lookAhead.counters.workerFailures).toBe(0);
  });

  it('solves a key that is not ready yet on the emitting thread, with the same truth', () => {
    const plain = simulator();
    const ahead = simulator();
    const lookAhead = new LookAheadTruth(ahead.grid, ahead.schedule, 2);
    opened.push(lookAhead);
    ahead.useTruthSource(lookAhead);
    // No wait between frames: the worker has no turn of the event loop to answer in.
    for (let k = 0; k < 20; k += 1) {
      plain.framesAt(SLOT0 + k);
      ahead.framesAt(SLOT0 + k);
      expect(ahead.operatingPoint!.vRe).toEqual(plain.operatingPoint!.vRe);
    }
    expect(lookAhead.counters.solvedAhead).toBe(0);
    expect(lookAhead.counters.solvedLate).toBeGreaterThan(1);
  });
});

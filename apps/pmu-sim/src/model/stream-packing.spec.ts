import fs from 'node:fs';
import { encodeFrame, MAX_FRAME_BYTES, StreamDecoder } from '@gridcloud/c37118';
import { parseMatpowerCase, SeededRandom } from '@gridcloud/grid';
import { describe, expect, it } from 'vitest';
import { casePath } from '../testing/case-files';
import { config3Of } from '../wire/config3';
import { GridTruth } from './grid-truth';
import { DEFAULT_MOTION } from './motion';
import { PmuSimulator } from './pmu-simulator';

function allInFewStreams(caseFile: string, placement: 'greedy' | 'all'): PmuSimulator {
  const powerCase = parseMatpowerCase(fs.readFileSync(casePath(caseFile), 'utf8'), caseFile);
  const grid = new GridTruth(powerCase, placement);
  const options = {
    framesPerSecond: 30,
    pmuCount: grid.pmuBuses.length,
    pmusPerStream: 'all' as const,
    idcodeBase: 1000,
    streamIdcodeBase: 60_000,
    noiseSigmaPu: 0,
    freqNoiseHz: 0,
    freqFormat: 'float' as const,
    resolveIntervalS: 1,
    motion: DEFAULT_MOTION,
    events: [],
  };
  return new PmuSimulator(options, grid, new SeededRandom(1));
}

describe('--pmus-per-stream all: every PMU in as few streams as fit one frame', () => {
  it.each([
    ['case118.m', 'greedy', 1],
    ['case118.m', 'all', 1],
    ['case_ACTIVSg2000.m', 'greedy', 2],
    ['case_ACTIVSg2000.m', 'all', 6],
  ] as const)('%s with %s placement', (caseFile, placement, streams) => {
    const sim = allInFewStreams(caseFile, placement);
    expect(sim.streams.map((s) => s.idcode)).toEqual(Array.from({ length: streams }, (_, i) => 60_000 + i));
    expect(sim.streams.flatMap((s) => s.pmus.map((p) => p.idcode))).toEqual(sim.pmus.map((p) => p.idcode));
    let largest = 0;
    for (const s of sim.streams) {
      const sizes = [
        encodeFrame(s.config).length,
        encodeFrame(config3Of(s.config)).length,
        s.writer.frameSize,
      ];
      largest = Math.max(largest, ...sizes);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
    // As few as fit: the PMUs' configuration bytes would not fit one stream fewer.
    const total = sim.streams.reduce((n, s) => n + encodeFrame(config3Of(s.config)).length, 0);
    expect(total).toBeGreaterThan((streams - 1) * MAX_FRAME_BYTES);
    expect(largest).toBeGreaterThan(0);
  });

  it('streams frames a decoder accepts with the CFG-2 of each stream', () => {
    const sim = allInFewStreams('case_ACTIVSg2000.m', 'greedy');
    let data = 0;
    const decoder = new StreamDecoder(
      { maxFrameBytes: MAX_FRAME_BYTES },
      { onData: () => (data += 1), onReject: (r) => expect.fail(r.message) },
    );
    for (const s of sim.streams) decoder.push(encodeFrame(s.config));
    for (const { bytes } of sim.framesAt(1_700_000_000 * 30)) decoder.push(bytes);
    expect(data).toBe(sim.streams.length);
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore, encodeFrame, StreamDecoder } from '@gridcloud/c37118';
import { parseMatpowerCase, SeededRandom } from '@gridcloud/grid';
import { ensureTshark } from '../scripts/tshark.mjs';
import { ethernetFrame, ipPacket, udpDatagram, writePcap } from '../libs/c37118/src/testing/capture-writer';
import { GridTruth } from '../apps/pmu-sim/src/model/grid-truth';
import { DEFAULT_MOTION } from '../apps/pmu-sim/src/model/motion';
import { PmuSimulator } from '../apps/pmu-sim/src/model/pmu-simulator';
import { PHASOR_FORMATS, type PhasorFormat } from '../apps/pmu-sim/src/model/stream-format';
import { casePath } from './support/data-files';

/**
 * pmu-sim's frame formats against Wireshark's synphasor dissector (Debian's
 * tshark): a capture of a 2-PMU stream's CFG-2 and data frames, in each
 * phasor format with MW/MVAr analogs and breaker words, across a line trip.
 * tshark must read every phasor, analog and digital word as our decoder does.
 */
const FPS = 30;
const SLOT0 = 1_700_000_000 * FPS;
const PORT = 4713;

interface Block {
  phasors: number[];
  analogs: number[];
  digitals: number[];
}

let tshark = '';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmu-sim-tshark-'));

/** CFG-2 then frames every 3 slots for 1 s, the line tripping at 0.5 s; and what our decoder reads of them. */
function capture(phasors: PhasorFormat): { file: string; ours: Block[][] } {
  const grid = new GridTruth(
    parseMatpowerCase(fs.readFileSync(casePath('case14'), 'utf8'), 'case14'),
    'greedy',
  );
  const sim = new PmuSimulator(
    {
      ...{ framesPerSecond: FPS, pmuCount: 2, pmusPerStream: 2, idcodeBase: 1000, streamIdcodeBase: 60_000 },
      ...{
        noiseSigmaPu: 0.002,
        freqNoiseHz: 0,
        freqFormat: 'int16',
        resolveIntervalS: 1,
        motion: DEFAULT_MOTION,
      },
      events: [{ kind: 'trip-line', branch: 0, atS: 0.5 }],
      format: { phasors, linePower: true, breakers: true },
    },
    grid,
    new SeededRandom(5),
  );
  const data = Array.from({ length: 10 }, (_, k) => sim.framesAt(SLOT0 + 3 * k)[0].bytes);
  const payloads = [encodeFrame({ ...sim.streams[0].config, soc: 1_700_000_000 }), ...data];
  const [src, dst] = [Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2)];
  const packets = payloads.map((p, i) => ({
    time: { seconds: 1_700_000_000, nanoseconds: i * 1_000_000 },
    data: ethernetFrame(ipPacket({ src, dst, protocol: 17, transport: udpDatagram(PORT, PORT, p) })),
  }));
  const file = path.join(dir, `${phasors}.pcap`);
  fs.writeFileSync(file, writePcap(packets, { linkType: 1, littleEndian: true, nanosecond: false }));
  const configs = new ConfigStore();
  configs.put(sim.streams[0].config);
  const ours: Block[][] = [];
  const decoder = new StreamDecoder(
    { maxFrameBytes: 65_535, configs },
    {
      onData: (v) =>
        ours.push(
          [0, 1].map((p) => ({
            phasors: [...v.phasors.subarray(2 * v.layout.phasorStart[p], 2 * v.layout.phasorStart[p + 1])],
            analogs: [...v.analogs.subarray(v.layout.analogStart[p], v.layout.analogStart[p + 1])],
            digitals: [...v.digitals.subarray(v.layout.digitalStart[p], v.layout.digitalStart[p + 1])],
          })),
        ),
      onReject: (r) => expect.fail(r.message),
    },
  );
  for (const d of data) decoder.pushDatagram(d);
  return { file, ours };
}

/** tshark's verbose reading of every data frame: per PMU block, phasors (re, im), analogs and digital words. */
function theirs(file: string): Block[][] {
  const text = execFileSync(
    tshark,
    ['-r', file, '-V', '-d', `udp.port==${PORT},synphasor`, '-Y', 'synphasor.frtype == 0'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const frames: Block[][] = [];
  for (const line of text.split('\n')) {
    if (/^Frame \d+:/.test(line)) frames.push([]);
    const blocks = frames[frames.length - 1];
    if (/^\s+Phasors \(\d+\)/.test(line)) blocks.push({ phasors: [], analogs: [], digitals: [] });
    const block = blocks?.[blocks.length - 1];
    const phasor = /Phasor #\d+: ".*",.* alt\s+(-?[\d.]+)\+j\s*(-?[\d.]+)/.exec(line);
    if (phasor !== null) block.phasors.push(Number(phasor[1]), Number(phasor[2]));
    const analog = /Analog value #\d+: ".*", (-?[\d.e+-]+)/.exec(line);
    if (analog !== null) block.analogs.push(Number(analog[1]));
    const digital = /Digital status word #\d+: (0x[0-9a-f]+)/.exec(line);
    if (digital !== null) block.digitals.push(Number(digital[1]));
  }
  return frames;
}

describe('pmu-sim formats against tshark', () => {
  beforeAll(() => {
    tshark = ensureTshark();
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const format of PHASOR_FORMATS) {
    it(`${format} phasors, MW/MVAr analogs and breaker words read alike, the tripped breaker open in both`, () => {
      const { file, ours } = capture(format);
      const got = theirs(file);
      expect(got).toHaveLength(ours.length);
      got.forEach((blocks, f) => {
        expect(blocks).toHaveLength(2);
        blocks.forEach((b, p) => {
          const o = ours[f][p];
          expect(b.digitals).toEqual(o.digitals);
          expect(b.phasors).toHaveLength(o.phasors.length);
          // tshark prints three decimals.
          b.phasors.forEach((x, i) => expect(Math.abs(x - o.phasors[i])).toBeLessThan(1.5e-3));
          expect(b.analogs).toHaveLength(o.analogs.length);
          b.analogs.forEach((x, i) =>
            expect(Math.abs(x - o.analogs[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(x))),
          );
        });
      });
      // PMU 1000 at bus 1 measures branch 0 first: its breaker bit closes the first frames and is open the last.
      expect(got[0][0].digitals[0] & 1).toBe(1);
      expect(got[got.length - 1][0].digitals[0] & 1).toBe(0);
    });
  }
});

import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigFrame, Frame, FrameReject } from '@gridcloud/c37118';
import { DEFAULT_SESSION_OPTIONS, PdcClient } from '@gridcloud/pdc';
import { LocalProcess } from '@gridcloud/supervision';
import { projectPython, until } from './c37118/python-env';

/**
 * Interoperability, direction 1: a pypmu PMU (an implementation we did not
 * write) streams to our PDC client. pypmu must decode our command frames
 * (it answers them) and we must decode every frame it sends, with the same
 * values pypmu says it put on the wire.
 */
const FRAMES = 20;
const PMU_ID = 1410;
/** How long pypmu may take to answer the CFG-2 request and turn its stream on. */
const FIRST_DATA_WAIT_MS = 60_000;

interface WirePmu {
  stat: number;
  phasors: [number, number][];
  freq: number;
  dfreq: number;
  analog: number[];
  digital: number[];
}

interface Received {
  idcode: number;
  stat: number[];
  phasors: number[];
  freq: number[];
  dfreq: number[];
  analogs: number[];
  digitals: number[];
}

let peer: LocalProcess | undefined;
let client: PdcClient | undefined;

afterEach(() => {
  client?.stop();
  peer?.kill();
});

/** Engineering values our view should hold for pypmu's wire values, per the CFG-2 we decoded. */
function expectMatches(got: Received, wire: WirePmu[], cfg: ConfigFrame): void {
  let ph = 0;
  let an = 0;
  let dg = 0;
  wire.forEach((w, k) => {
    const p = cfg.pmus[k];
    expect(got.stat[k]).toBe(w.stat);
    w.phasors.forEach(([a, b], j) => {
      const scale = p.format.phasorFloat ? 1 : p.phasors[j].phunit * 1e-5;
      const [re, im] = p.format.polar
        ? [
            a * scale * Math.cos(p.format.phasorFloat ? b : b * 1e-4),
            a * scale * Math.sin(p.format.phasorFloat ? b : b * 1e-4),
          ]
        : [a * scale, b * scale];
      expect(got.phasors[2 * ph]).toBeCloseTo(re, 6);
      expect(got.phasors[2 * ph + 1]).toBeCloseTo(im, 6);
      ph += 1;
    });
    expect(got.freq[k]).toBeCloseTo(p.format.freqFloat ? w.freq : p.nominalFrequencyHz + w.freq / 1000, 9);
    expect(got.dfreq[k]).toBeCloseTo(p.format.freqFloat ? w.dfreq : w.dfreq / 100, 9);
    w.analog.forEach((v, j) =>
      expect(got.analogs[an++]).toBeCloseTo(p.format.analogFloat ? v : v * p.analogs[j].anunit, 9),
    );
    w.digital.forEach((v) => expect(got.digitals[dg++]).toBe(v));
  });
}

async function session(variant: string, numPmu: number): Promise<void> {
  peer = LocalProcess.spawn([projectPython(), 'test/c37118/pypmu_pmu.py', variant, String(FRAMES)], {
    stdin: 'pipe',
  });
  const { port } = (await peer.waitFor((l) => 'port' in l, 'listening port', 30_000)) as { port: number };
  const frames: Frame[] = [];
  const data: Received[] = [];
  const rejects: FrameReject[] = [];
  const effects: string[] = [];
  client = new PdcClient(
    {
      host: '127.0.0.1',
      port,
      session: { ...DEFAULT_SESSION_OPTIONS, idcode: PMU_ID },
      maxFrameBytes: 65535,
    },
    {
      onFrame: (f) => frames.push(f),
      onData: (v) =>
        data.push({
          idcode: v.idcode,
          stat: [...v.stat],
          phasors: [...v.phasors],
          freq: [...v.freq],
          dfreq: [...v.dfreq],
          analogs: [...v.analogs],
          digitals: [...v.digitals],
        }),
      onReject: (r) => rejects.push(r),
      // The session's decisions, for a failure's message: which request went unanswered, which reconnect why.
      onEffect: (effect) => effects.push(JSON.stringify(effect)),
    },
  );
  // The session asks for CFG-2 and turns the stream on. pypmu's command reader expects one frame per read, so
  // header and CFG-1 are asked besides only once the turn-on showed (a data frame), each after the last reply.
  client.start();
  // pypmu is Python on a loaded machine: its first answer may take a few of the session's request repeats.
  await until(
    () => data.length > 0,
    FIRST_DATA_WAIT_MS,
    "pypmu's CFG-2, the turn-on and a first data frame",
  ).catch((error: Error) => {
    const stderr = peer!.stderr.slice(-1500);
    throw new Error(`${error.message}\nsession: ${effects.slice(-30).join('\n')}\npypmu stderr: ${stderr}`);
  });
  for (const kind of ['header', 'cfg1'] as const) {
    client.send(kind);
    await until(() => frames.some((f) => f.kind === kind), 15_000, `pypmu's ${kind} frame`);
  }
  await until(() => data.length >= FRAMES, 30_000, `${FRAMES} data frames from pypmu`);
  client.stop();

  expect(rejects).toEqual([]);
  const header = frames.find((f) => f.kind === 'header');
  expect(header?.kind === 'header' && header.text).toBe('pypmu interop PMU');
  const cfg2 = frames.find((f): f is ConfigFrame => f.kind === 'cfg2') as ConfigFrame;
  expect(cfg2.idcode).toBe(PMU_ID);
  expect(cfg2.pmus).toHaveLength(numPmu);
  expect(cfg2.dataRate).toBe(50);
  expect(cfg2.pmus[0].stationName).toBe('STATION A');
  expect(cfg2.pmus[0].phasors.map((p) => p.name)).toEqual(['VA', 'VB', 'VC', 'I1']);
  expect(cfg2.pmus[0].phasors[3]).toMatchObject({ isCurrent: true, phunit: 45776 });
  const expected = peer.lines.filter((l) => 'i' in l) as unknown as { i: number; pmus: WirePmu[] }[];
  expect(expected).toHaveLength(FRAMES);
  expect(data).toHaveLength(FRAMES);
  data.forEach((got, i) => {
    expect(got.idcode).toBe(PMU_ID);
    expectMatches(got, expected[i].pmus, cfg2);
  });
}

describe('pypmu PMU -> our PDC client over TCP', () => {
  it('decodes every frame of a float polar stream (float FREQ, analogs, digital word)', async () => {
    await session('float-polar', 1);
  });

  it('decodes every frame of an int16 rectangular stream', async () => {
    await session('int-rect', 1);
  });

  it('decodes every frame of a 2-PMU stream mixing int16 rectangular and float polar blocks', async () => {
    await session('multi', 2);
  });
});

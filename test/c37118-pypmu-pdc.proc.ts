import { afterEach, describe, expect, it } from 'vitest';
import {
  buildConfig,
  encodeFrame,
  PmuServer,
  systemFrameTime,
  type DataFrame,
  type PmuData,
} from '@gridcloud/c37118';
import { LocalProcess } from '@gridcloud/supervision';
import { projectPython, until } from './c37118/python-env';

/**
 * Interoperability, direction 2: our encoder, serving as a PMU, streams to
 * pypmu's PDC (an implementation we did not write). pypmu sends the
 * commands (we decode them), decodes our header, CFG-2 and every data
 * frame, and reports the wire values it read; they must equal what we sent.
 */
const FRAMES = 25;
const IDCODE = 3001;

// Integer FREQ/DFREQ: pypmu reads float FREQ as a deviation within +-32.767 Hz,
// which C37.118.2-2011 does not; mHz deviation in int16 means the same to both.
const config = buildConfig({
  version: 2,
  idcode: IDCODE,
  dataRate: 60,
  pmus: [
    {
      stationName: 'FLOAT RECT',
      idcode: 3002,
      format: { polar: false, phasorFloat: true, analogFloat: true, freqFloat: false },
      phasors: ['VA', 'VB', 'VC', 'IA'],
      analogs: ['MW', 'MVAR'],
      digitalWords: 1,
    },
    {
      stationName: 'INT POLAR',
      idcode: 3003,
      format: { polar: true, phasorFloat: false, analogFloat: false, freqFloat: false },
      phasors: ['V1', 'I1'],
      analogs: ['T'],
      digitalWords: 2,
      phunit: 915527,
      nominalFrequencyHz: 50,
    },
  ],
});

function frame(i: number): DataFrame {
  const t = systemFrameTime(config.timeBase);
  const pmus: PmuData[] = [
    {
      stat: 0,
      phasors: [230000.25 + i, -12.5, -115000.5, 199185.75, -115000.5, -199185.75, 1000.125, i / 4],
      freq: 25 - i,
      dfreq: 3,
      analogs: [150.5 + i, -20.25],
      digitals: [0x8001 ^ i],
    },
    // pypmu maps STAT's time-quality and unlocked-time fields without shifting them and knows
    // trigger reasons 0-7 only, so those bits stay within what it can read.
    {
      stat: (0x0400 | 0x2000 | (i & 0x7)) ^ (i % 2 ? 0x0800 : 0),
      phasors: [14635 + i, 2094 - i, 1092, -31416],
      freq: 5 - i,
      dfreq: -7,
      analogs: [1000 - i],
      digitals: [i, 0xffff],
    },
  ];
  return {
    kind: 'data',
    version: 2,
    idcode: IDCODE,
    soc: t.soc,
    fracsec: t.fracsec,
    timeQuality: config.timeQuality,
    pmus,
  };
}

interface PypmuPmu {
  /** pypmu's STAT reading: [status, sync, sorting, trigger, cfgChange, modified, timeQuality, unlocked, triggerReason]. */
  stat: [string, boolean, string, boolean, boolean, boolean, string, string, string];
  phasors: number[][];
  freq: number;
  dfreq: number;
  analog: number[];
  digital: number[];
}

const TRIGGER_REASONS = [
  'manual',
  'magnitude_low',
  'magnitude_high',
  'phase_angle_diff',
  'frequency_high_or_log',
  'df/dt_high',
  'reserved',
  'digital',
];

/** How pypmu names the STAT bits we send (its `sync` is true when bit 13 says "in sync"). */
function pypmuStat(stat: number): PypmuPmu['stat'] {
  return [
    stat & 0x8000 ? 'error' : 'ok',
    (stat & 0x2000) === 0,
    stat & 0x1000 ? 'arrival' : 'timestamp',
    (stat & 0x0800) !== 0,
    (stat & 0x0400) !== 0,
    (stat & 0x0200) !== 0,
    'n/a',
    '<10',
    TRIGGER_REASONS[stat & 0x7],
  ];
}

let server: PmuServer | undefined;
let peer: LocalProcess | undefined;

afterEach(async () => {
  peer?.kill();
  await server?.close();
});

describe('our PMU server -> pypmu PDC over TCP', () => {
  it('pypmu decodes our header, 2-PMU CFG-2 and every data frame with the values we sent', async () => {
    server = new PmuServer(
      { cfg2: config, header: 'GridCloud C37.118 PMU' },
      {
        host: '127.0.0.1',
        port: 0,
        maxFrameBytes: 65535,
        maxConnections: 4,
        maxSendQueueBytes: 1 << 20,
        now: () => systemFrameTime(config.timeBase),
      },
    );
    const rejects: string[] = [];
    server.onRefusal = (_peer, message) => rejects.push(message);
    const { port } = await server.listen();
    peer = LocalProcess.spawn([projectPython(), 'test/c37118/pypmu_pdc.py', String(port), String(FRAMES)], {
      stdin: 'pipe',
    });
    await until(() => server?.streamingConnections === 1, 30_000, 'pypmu to send the start command');

    const sent: DataFrame[] = [];
    for (let i = 0; i < FRAMES; i += 1) {
      const f = frame(i);
      sent.push(f);
      server.publish(IDCODE, encodeFrame(f, config));
      await new Promise((r) => setTimeout(r, 2));
    }
    const done = (await peer.waitFor((l) => 'decoded' in l, 'pypmu summary', 60_000)) as { decoded: number };
    expect(peer.lines.filter((l) => 'error' in l)).toEqual([]);
    expect(done.decoded).toBe(FRAMES);

    const info = peer.lines[0] as {
      header: string;
      numPmu: number;
      stations: string[];
      idcodes: number[];
      dataRate: number;
      timeBase: number;
    };
    expect(info.header).toContain('GridCloud C37.118 PMU');
    expect(info).toMatchObject({ numPmu: 2, idcodes: [3002, 3003], dataRate: 60, timeBase: 1_000_000 });
    expect(info.stations.map((s) => s.trim())).toEqual(['FLOAT RECT', 'INT POLAR']);

    const got = peer.lines.filter((l) => 'pmus' in l) as unknown as {
      soc: number;
      fracsec: number;
      pmus: PypmuPmu[];
    }[];
    expect(got).toHaveLength(FRAMES);
    got.forEach((g, i) => {
      expect(g.soc).toBe(sent[i].soc);
      g.pmus.forEach((p, k) => {
        const s = sent[i].pmus[k];
        expect(p.stat).toEqual(pypmuStat(s.stat));
        expect(p.phasors.flat()).toEqual(s.phasors);
        expect([p.freq, p.dfreq]).toEqual([s.freq, s.dfreq]);
        expect(p.analog).toEqual(s.analogs);
        expect(p.digital).toEqual(s.digitals);
      });
    });
    // pypmu's commands (header, cfg2, start, stop) were decoded by our session without a reject.
    await peer.exited;
    await until(() => (server?.counters.commands ?? 0) >= 4, 5_000, 'the stop command');
    expect(rejects).toEqual([]);
    expect(server.counters.commands).toBe(4);
  });
});

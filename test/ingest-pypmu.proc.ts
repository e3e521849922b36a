import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPython } from './c37118/python-env';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import type { IngestReport } from '../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../apps/ingest/src/testing/snapshot-file';
import { casePath } from './support/data-files';

/**
 * Interoperability with an implementation we did not write (pypmu, PyPI
 * `synchrophasor`): its PMU streams int16 phasors, analogs and digitals to
 * our ingest, and our simulator streams float (and multi-PMU) frames to its PDC.
 */
const CASE14 = casePath('case14');

/** Makes the released pypmu run on Python >= 3.10 (see test/c37118/pypmu_compat.py) before it is imported. */
const PYPMU_COMPAT = `
import sys
sys.path.insert(0, "test/c37118")
import pypmu_compat
`;

/** A pypmu PMU on an ephemeral port, sending its IEEE sample data frame at 30 frames/s. */
const PYPMU_PMU = `${PYPMU_COMPAT}
import json, logging, sys, time
from synchrophasor.pmu import Pmu
pmu = Pmu(pmu_id=7734, data_rate=30, port=0, ip="127.0.0.1")
pmu.logger.setLevel(logging.ERROR)
pmu.set_configuration()
pmu.set_header()
pmu.run()
print(json.dumps({"event": "ready", "port": pmu.socket.getsockname()[1]}), flush=True)
while True:
    if pmu.clients:
        pmu.send(pmu.ieee_data_sample)
    time.sleep(1 / 30)
`;

/**
 * A PDC built from pypmu's frame classes against our simulator: header, CFG-2,
 * turn on, then decode 45 frames. pypmu's own Pdc.get() assumes one frame per
 * recv(), which TCP does not promise, so this reads whole frames by FRAMESIZE
 * and leaves every decode to pypmu.
 */
const PYPMU_PDC = `${PYPMU_COMPAT}
import json, socket, sys
from synchrophasor.frame import CommandFrame, CommonFrame, ConfigFrame2, DataFrame, HeaderFrame
idcode, port = int(sys.argv[1]), int(sys.argv[2])
sock = socket.create_connection(("127.0.0.1", port))
def read_exactly(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data
def read_frame(cfg=None):
    head = read_exactly(4)
    return CommonFrame.convert2frame(head + read_exactly(int.from_bytes(head[2:4], "big") - 4), cfg)
sock.sendall(CommandFrame(idcode, "header").convert2bytes())
header = read_frame()
sock.sendall(CommandFrame(idcode, "cfg2").convert2bytes())
config = read_frame()
assert isinstance(header, HeaderFrame) and isinstance(config, ConfigFrame2)
sock.sendall(CommandFrame(idcode, "start").convert2bytes())
frames, first = 0, None
while frames < 45:
    f = read_frame(config)
    assert isinstance(f, DataFrame), type(f).__name__
    frames += 1
    m = f.get_measurements()
    if first is None:
        fmt = config.get_data_format()
        packed = f._phasors if config.get_num_pmu() == 1 else f._phasors[0]
        first = {"pmus": len(m["measurements"]), "phasors": [list(p) for p in m["measurements"][0]["phasors"]], "time": m["time"], "freqMhz": f.get_freq(),
                 "format": list(fmt) if config.get_num_pmu() == 1 else list(fmt[0]),
                 "raw": [list(DataFrame._int2phasor(p, fmt if config.get_num_pmu() == 1 else fmt[0])) for p in packed],
                 "phunit": config.get_ph_units()[0][0] if config.get_num_pmu() == 1 else config.get_ph_units()[0][0][0],
                 "analog": m["measurements"][0]["analog"], "digital": m["measurements"][0]["digital"],
                 "names": config.get_channel_names() if config.get_num_pmu() == 1 else config.get_channel_names()[0]}
sock.sendall(CommandFrame(idcode, "stop").convert2bytes())
sock.close()
print(json.dumps({"event": "done", "header": header.get_header(), "stations": config.get_station_name(), "numPmu": config.get_num_pmu(), "dataFrames": frames, "first": first}), flush=True)
`;

/** What the pypmu PDC script prints. */
interface PypmuPdcResult {
  header: string;
  numPmu: number;
  dataFrames: number;
  first: {
    pmus: number;
    phasors: [number, number][];
    time: number;
    freqMhz: number | number[];
    /** pypmu's FORMAT reading: [polar, phasor float, analog float, freq float]. */
    format: [boolean, boolean, boolean, boolean];
    /** The first PMU block's phasors as the wire holds them (int16 counts or floats), unpacked by pypmu. */
    raw: [number, number][];
    phunit: number;
    analog: number[];
    digital: number[];
    names: string[];
  };
}

describe('C37.118 interoperability with pypmu (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-pypmu-'));
  const procs: LocalProcess[] = [];
  let python = '';

  beforeAll(() => {
    python = projectPython();
  }, 300_000);

  afterAll(() => {
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingests a pypmu PMU over TCP: commands understood, every frame decoded, values as pypmu encoded them', async () => {
    const pmu = LocalProcess.spawn([python, '-u', '-c', PYPMU_PMU]);
    procs.push(pmu);
    const { port } = (await pmu.waitFor((l) => l.event === 'ready', 'pypmu PMU ready')) as { port: number };
    const out = path.join(dir, 'snapshots.jsonl');
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      '--tcp',
      `7734@127.0.0.1:${port}`,
      '--snapshots-out',
      out,
      '--duration-s',
      '3',
    ]);
    procs.push(ingest);
    const report = (await ingest.waitFor(
      (l) => l.event === 'stopped',
      'ingest report',
    )) as unknown as IngestReport;
    pmu.kill();
    const source = report.sources[0] as {
      rejects: Record<string, number>;
      configs: number;
      dataFrames: number;
    };
    expect(source.rejects).toEqual({});
    expect(source.configs).toBeGreaterThan(0);
    expect(source.dataFrames).toBeGreaterThan(20);
    const samples = readSnapshotFile(out).snapshots.flatMap((s) => s.pmus);
    expect(samples.length).toBeGreaterThan(20);
    const s = samples[0] as { idcode: number; phasors: number[]; freqHz: number; stat: number };
    expect(s.idcode).toBe(7734);
    // pypmu's sample: VA = (14635, 0) in int16 units of PHUNIT 915527 x 1e-5 V; FREQ 2500 mHz above 60 Hz.
    expect(s.phasors[0]).toBeCloseTo(14635 * 9.15527, 3);
    expect(s.phasors[1]).toBe(0);
    expect(s.phasors[6]).toBeCloseTo(1092 * 0.45776, 3);
    expect(s.freqHz).toBeCloseTo(62.5, 6);
  });

  // Breaker words are left out: pypmu 1.0 cannot read a CFG-2 whose DIGUNIT normal-status word is not 0 (its
  // _int2digunit keeps that word unshifted and then refuses it as over 16 bits), and pmu-sim's breakers are
  // normally closed (1). The breaker path is covered against our own decoder in test/ingest-tcp-udp.proc.ts.
  const LINE_POWER = ['--analogs', 'line-power'];
  it.each([
    ['one PMU per stream', [], 1000],
    ['a substation stream of three PMUs', ['--pmus-per-stream', '3'], 60_000],
    ['float polar', ['--phasor-format', 'polar-float'], 1000],
    ['int16 polar, MW/MVAr', ['--phasor-format', 'polar-int16', ...LINE_POWER], 1000],
    ['int16 rectangular, MW/MVAr', ['--phasor-format', 'rect-int16', ...LINE_POWER], 1000],
    [
      '3-PMU int16 polar, MW/MVAr',
      ['--pmus-per-stream', '3', '--phasor-format', 'polar-int16', ...LINE_POWER],
      60_000,
    ],
  ])(
    'streams from pmu-sim to the pypmu PDC (%s): header, CFG-2 and every data frame decoded',
    async (_name, extra, idcode) => {
      // pypmu reads a float FREQ as a deviation from nominal (the standard: the actual frequency), so FREQ goes as int16.
      const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
        '--case',
        CASE14,
        '--tcp',
        '127.0.0.1:0',
        '--noise-sigma-pu',
        '0',
        '--freq-format',
        'int16',
        ...(extra as string[]),
      ]);
      procs.push(sim);
      const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
      const pdc = LocalProcess.spawn([python, '-u', '-c', PYPMU_PDC, String(idcode), String(ready.tcpPort)]);
      procs.push(pdc);
      const done = (await pdc.waitFor(
        (l) => l.event === 'done',
        'pypmu PDC result',
      )) as unknown as PypmuPdcResult;
      await sim.stop();
      expect(done.header).toMatch(/GridCloud PMU simulator/);
      // The script asserts every frame after the turn-on decodes as a data frame; a failure exits non-zero.
      expect(done.dataFrames).toBe(45);
      const pmus = idcode === 60_000 ? 3 : 1;
      expect(done.numPmu).toBe(pmus);
      expect(done.first.pmus).toBe(pmus);
      expectFormatAsAsked(done.first, extra as string[]);
      expect(Math.abs(done.first.time - Date.now() / 1000)).toBeLessThan(60);
      // int16 FREQ is the deviation from 60 Hz in mHz; the simulated deviation stays within 20 mHz plus a trip dip.
      expect(Math.abs([done.first.freqMhz].flat()[0] as number)).toBeLessThan(100);
    },
  );
});

/**
 * What pypmu read of the first PMU block matches the format pmu-sim was asked for: FORMAT bits, the first phasor
 * (the bus voltage, in per unit: magnitude near 1, int16 counts scaled by PHUNIT x 1e-5), and with line power
 * two analogs per branch end (whole MW/MVAr in int16) named MW#<branch>, MVAR#<branch>.
 */
function expectFormatAsAsked(first: PypmuPdcResult['first'], flags: readonly string[]): void {
  const at = flags.indexOf('--phasor-format');
  const phasors = at < 0 ? 'rect-float' : flags[at + 1];
  const polar = phasors.startsWith('polar');
  const float = phasors.endsWith('float');
  expect(first.format).toEqual([polar, float, float, false]);
  const [a, b] = first.raw[0];
  const scale = float ? 1 : first.phunit * 1e-5;
  const magnitude = polar ? a * scale : Math.hypot(a, b) * scale;
  expect(magnitude).toBeGreaterThan(0.9);
  expect(magnitude).toBeLessThan(1.15);
  if (polar) expect(Math.abs(float ? b : b / 1e4)).toBeLessThanOrEqual(Math.PI);
  const branchEnds = first.raw.length - 1;
  if (!flags.includes('line-power')) {
    expect(first.analog).toEqual([]);
    return;
  }
  expect(first.analog).toHaveLength(2 * branchEnds);
  expect(first.names.filter((n) => /^MW#\d+/.test(n.trim()))).toHaveLength(branchEnds);
  for (const x of first.analog) expect(Math.abs(x)).toBeLessThan(1000);
  expect(first.analog.some((x) => Math.abs(x) >= 1)).toBe(true);
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../codec/config-builder';
import { encodeFrame } from '../codec/encode';
import { buildPcap } from '../testing/pcap-builder';
import { expectedCaptures, PCAP_DIR } from '../testing/pcap-readme';
import { DEFAULT_INSPECT_OPTIONS, inspectCapture } from './capture-inspector';

const captures = expectedCaptures();

describe('inspectCapture on the shared captures', () => {
  it('finds every capture listed in the README', () => {
    expect(captures.length).toBeGreaterThanOrEqual(6);
  });

  for (const c of captures) {
    it(`counts the README's frames in ${c.file}, with no CRC error and no reject`, () => {
      const { report } = inspectCapture(readFileSync(`${PCAP_DIR}${c.file}`));
      expect(report.frames).toEqual(c.frames);
      expect(report.crcErrors).toBe(0);
      expect(report.rejected).toBe(0);
      if (c.idcodes.length > 0) expect(report.idcodes).toEqual(c.idcodes);
      expect(report.firstTime).not.toBeNull();
      expect(report.lastTime as number).toBeGreaterThanOrEqual(report.firstTime as number);
    });
  }

  it('reads the 2-PMU capture: two stations, 50 fps, 30 s of data', () => {
    const { report } = inspectCapture(readFileSync(`${PCAP_DIR}C37.118_2PMUsInSync_TCP.pcap`));
    expect(report.stations.sort()).toEqual(['Blue PMU', 'PMU1']);
    expect(report.dataRate).toBe(50);
    expect((report.lastTime as number) - (report.firstTime as number)).toBeCloseTo(30, 0);
  });

  it("ignores the unclean capture's other protocols and counts retransmitted frames as transmissions", () => {
    const clean = inspectCapture(readFileSync(`${PCAP_DIR}c37_1100_clean_tcp.pcap`));
    const unclean = inspectCapture(readFileSync(`${PCAP_DIR}c37118_1100_unclean.pcap`));
    expect(unclean.report).toEqual(clean.report);
    expect(unclean.otherFlows).toBeGreaterThan(0);
    expect(unclean.retransmittedFrames).toBe(3);
  });
});

/** A UDP capture of `configs` CFG-2 frames, each naming `pmus` stations no other one uses. */
function renamingCapture(configs: number, pmus: number): Uint8Array {
  return buildPcap(
    Array.from({ length: configs }, (_, c) => ({
      protocol: 'udp' as const,
      srcPort: 4713,
      dstPort: 4713,
      payload: encodeFrame(
        buildConfig({
          idcode: c + 1,
          dataRate: 30,
          pmus: Array.from({ length: pmus }, (_, p) => ({
            stationName: `S${c}.${p}`,
            idcode: (c * pmus + p) % 65536,
            phasors: ['VA'],
          })),
        }),
      ),
    })),
  );
}

describe('inspectCapture station names', () => {
  it('lists distinct names once, in the order seen, up to maxStations and counts the rest', () => {
    const capture = renamingCapture(30, 20);
    const all = inspectCapture(capture);
    expect(all.report.stations).toHaveLength(600);
    expect(all.report.stations.slice(0, 2)).toEqual(['S0.0', 'S0.1']);
    expect(all.stationsDropped).toBe(0);
    const bounded = inspectCapture(capture, { ...DEFAULT_INSPECT_OPTIONS, maxStations: 100 });
    expect(bounded.report.stations).toEqual(all.report.stations.slice(0, 100));
    expect(bounded.stationsDropped).toBe(500);
  });

  it('examines each name of a configuration once, however many names came before (work linear in the capture)', () => {
    const twenty = inspectCapture(renamingCapture(20, 50));
    const hundred = inspectCapture(renamingCapture(100, 50));
    expect(twenty.stationEntriesExamined).toBe(20 * 50);
    expect(hundred.stationEntriesExamined).toBe(100 * 50);
    expect(hundred.report.stations).toHaveLength(5000);
  });
});

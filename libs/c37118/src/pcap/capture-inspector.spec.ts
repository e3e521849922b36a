import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedCaptures, PCAP_DIR } from '../testing/pcap-readme';
import { inspectCapture } from './capture-inspector';

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

import { describe, expect, it } from 'vitest';
import { buildPcap, type BuiltPacket } from '../testing/pcap-builder';
import { concat, encodedCommand, encodedConfig, encodedData, encodedHeader } from '../testing/sample-stream';
import { inspectCapture } from './capture-inspector';

const ISN = 0xfffffff0; // close to wrap-around on purpose

/** Splits the stream into TCP segments of `size` bytes starting after a SYN. */
function segments(stream: Uint8Array, size: number): BuiltPacket[] {
  const out: BuiltPacket[] = [
    { protocol: 'tcp', srcPort: 4712, dstPort: 50000, payload: new Uint8Array(0), seq: ISN, syn: true },
  ];
  for (let at = 0; at < stream.length; at += size) {
    out.push({
      protocol: 'tcp',
      srcPort: 4712,
      dstPort: 50000,
      payload: stream.subarray(at, at + size),
      seq: (ISN + 1 + at) >>> 0,
    });
  }
  return out;
}

const stream = concat([
  encodedHeader,
  encodedConfig,
  ...Array.from({ length: 10 }, (_, i) => encodedData(i)),
]);

describe('inspectCapture with captured faults', () => {
  it('reassembles frames split across segments, reordered and retransmitted, across sequence wrap-around', () => {
    const segs = segments(stream, 37);
    const shuffled = [
      segs[0],
      segs[1],
      segs[3],
      segs[2],
      segs[2],
      ...segs.slice(4, 9),
      segs[10],
      segs[9],
      ...segs.slice(11),
    ];
    const { report, tcp } = inspectCapture(buildPcap(shuffled));
    expect(report.frames).toEqual({ data: 10, header: 1, cfg1: 0, cfg2: 1, cfg3: 0, cmd: 0 });
    expect(report.rejected).toBe(0);
    expect(tcp.outOfOrderSegments).toBe(2);
    expect(tcp.retransmittedBytes).toBe(37);
  });

  it('counts a frame cut by a hole in the capture as truncated and decodes the rest', () => {
    const size = 20;
    const segs = segments(stream, size);
    // Drop the segment holding the middle of the fourth data frame (segs[0] is the SYN).
    const lost =
      1 + Math.floor((encodedHeader.length + encodedConfig.length + 3.5 * encodedData(0).length) / size);
    const { report, rejects, tcp } = inspectCapture(
      buildPcap([...segs.slice(0, lost), ...segs.slice(lost + 1)]),
    );
    expect(tcp.gaps).toBe(1);
    expect(rejects.truncated).toBe(1);
    expect(report.frames.data).toBe(9);
  });

  it('counts CRC errors and garbage in a C37.118 UDP flow, and ignores flows of other protocols', () => {
    const bad = encodedData(3).slice();
    bad[20] ^= 0x40;
    const udp = (payload: Uint8Array, port = 4713): BuiltPacket => ({
      protocol: 'udp',
      srcPort: port,
      dstPort: 4713,
      payload,
    });
    const { report, rejects, otherFlows } = inspectCapture(
      buildPcap([
        udp(new TextEncoder().encode('M-SEARCH * HTTP/1.1'), 1900),
        udp(encodedConfig),
        udp(encodedData(1)),
        udp(bad),
        udp(Uint8Array.of(1, 2, 3, 4)),
        udp(encodedData(2).subarray(0, 30)),
        udp(encodedCommand),
      ]),
    );
    expect(report.frames).toMatchObject({ data: 1, cfg2: 1, cmd: 1 });
    expect(report.crcErrors).toBe(1);
    expect(rejects).toMatchObject({ crc: 1, 'bad-sync': 1, truncated: 1 });
    expect(report.rejected).toBe(3);
    expect(otherFlows).toBe(1);
  });
});

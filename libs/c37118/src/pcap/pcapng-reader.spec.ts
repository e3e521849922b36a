import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PcapFormatError } from '../errors/pcap-format-error';
import { CAPTURE_FIXTURES, CFG3_FIXTURE, makeFixture } from '../testing/capture-fixtures';
import { sampleConfig3, sampleConfig3Frames } from '../testing/config3-sample';
import {
  ethernetFrame,
  ipPacket,
  udpDatagram,
  writePcapng,
  type WrittenSection,
} from '../testing/capture-writer';
import { PCAP_DIR } from '../testing/pcap-readme';
import { encodedConfig, encodedData } from '../testing/sample-stream';
import { inspectCapture, inspectCaptureStream } from './capture-inspector';
import { bufferSource, openCapture, readCapture } from './capture-reader';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_RAW } from './packet-decoder';
import { PcapngReader } from './pcapng-reader';
import type { ByteSource } from './pcap-stream-reader';

const read = (file: string): Uint8Array => new Uint8Array(readFileSync(`${PCAP_DIR}${file}`));

function udpPacket(payload: Uint8Array): Uint8Array {
  const ip = ipPacket({
    src: Uint8Array.of(10, 0, 0, 1),
    dst: Uint8Array.of(10, 0, 0, 2),
    protocol: 17,
    transport: udpDatagram(4713, 4713, payload),
  });
  return ethernetFrame(ip);
}

/** One section, one Ethernet interface, a CFG-2 then `n` data frames over UDP, one per second plus 123456789 ns. */
function smallSection(littleEndian: boolean, n = 3): WrittenSection {
  const frames = [encodedConfig, ...Array.from({ length: n }, (_, i) => encodedData(i))];
  return {
    littleEndian,
    interfaces: [{ linkType: LINKTYPE_ETHERNET, resolution: { base: 10, exponent: 9 } }],
    packets: frames.map((f, i) => ({
      time: { seconds: 1_700_000_000 + i, nanoseconds: 123_456_789 },
      data: udpPacket(f),
    })),
  };
}

function chunked(file: Uint8Array, step: number): ByteSource {
  let at = 0;
  return (into, offset, length) => {
    const n = Math.min(step, length, file.length - at);
    into.set(file.subarray(at, at + n), offset);
    at += n;
    return n;
  };
}

describe('PcapngReader', () => {
  it('reads each committed pcapng/IPv6 fixture to the same report as the capture it was made from', () => {
    for (const f of CAPTURE_FIXTURES) {
      const made = read(f.file);
      expect(made, `${f.file} is what capture-fixtures.ts makes`).toEqual(makeFixture(f));
      if (f.source === undefined) continue;
      const got = inspectCapture(made);
      expect(got.report, f.file).toEqual(inspectCapture(read(f.source)).report);
      expect(got.packets.ipv6, f.file).toBeGreaterThan(0);
    }
  });

  it('reads the CFG-3 fixture: a series of CFG-3 frames, reassembled, then data frames decoded with it', () => {
    const d = inspectCapture(read('cfg3_series_ipv6.pcapng'));
    const parts = sampleConfig3Frames(
      sampleConfig3({ pmuCount: CFG3_FIXTURE.pmus }),
      CFG3_FIXTURE.maxFrameBytes,
    );
    expect(parts.length).toBeGreaterThan(4);
    expect(d.report.frames).toEqual({
      data: CFG3_FIXTURE.dataFrames,
      header: 0,
      cfg1: 0,
      cfg2: 0,
      cfg3: parts.length,
      cmd: 2,
    });
    expect(d.report.rejected).toBe(0);
    expect(d.report.stations.length).toBe(CFG3_FIXTURE.pmus);
    expect(d.packets.ipv6).toBe(d.packets.total);
  });

  it('reads both byte orders, and the same packets streamed in reads of any size', () => {
    for (const le of [true, false]) {
      const file = writePcapng([smallSection(le)]);
      const memory = [...readCapture(file).packets()];
      expect(memory.map((p) => p.time)).toEqual([0, 1, 2, 3].map((i) => 1_700_000_000 + i + 0.123456789));
      for (const step of [1, 5, 4096]) {
        const streamed = [...openCapture(chunked(file, step)).packets()];
        expect(streamed.map((p) => [p.time, p.linkType, [...p.data]])).toEqual(
          memory.map((p) => [p.time, p.linkType, [...p.data]]),
        );
      }
      expect(inspectCapture(file).report.frames.data).toBe(3);
    }
  });

  it('gives each interface its link type and timestamp resolution, numbered again in every section', () => {
    const cooked = (p: Uint8Array): Uint8Array => {
      const out = new Uint8Array(16 + p.length - 14);
      out.set([0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0, 0x08, 0x00]);
      out.set(p.subarray(14), 16);
      return out;
    };
    const t = { seconds: 1_700_000_000, nanoseconds: 500_000_000 };
    const file = writePcapng([
      {
        littleEndian: true,
        interfaces: [
          { linkType: LINKTYPE_ETHERNET, resolution: { base: 10, exponent: 3 } },
          {
            linkType: LINKTYPE_LINUX_SLL,
            resolution: { base: 2, exponent: 10 },
            offsetSeconds: 1_600_000_000,
          },
        ],
        packets: [
          { time: t, data: udpPacket(encodedConfig) },
          { time: t, data: cooked(udpPacket(encodedData(0))), interfaceId: 1 },
        ],
        otherBlocks: new Map([
          [-1, 'name-resolution'],
          [0, 'custom'],
          [1, 'interface-statistics'],
        ]),
      },
      {
        littleEndian: false,
        interfaces: [{ linkType: LINKTYPE_RAW }],
        packets: [{ time: t, data: udpPacket(encodedData(1)).subarray(14) }],
      },
    ]);
    const reader = readCapture(file);
    const packets = [...reader.packets()];
    expect(packets.map((p) => [p.linkType, p.time])).toEqual([
      [LINKTYPE_ETHERNET, 1_700_000_000.5],
      [LINKTYPE_LINUX_SLL, 1_700_000_000.5],
      [LINKTYPE_RAW, 1_700_000_000.5],
    ]);
    expect(reader.summary).toEqual({
      format: 'pcapng',
      sections: 2,
      interfaces: 3,
      skippedBlocks: 3,
      truncated: false,
    });
    expect(inspectCapture(file).report.frames).toMatchObject({ cfg2: 1, data: 2 });
  });

  it('marks a file that ends inside a block as truncated and keeps the packets before it', () => {
    const file = writePcapng([smallSection(true)]);
    for (const cut of [3, 10]) {
      const reader = readCapture(file.subarray(0, file.length - cut));
      expect([...reader.packets()].length).toBe(3);
      expect(reader.summary.truncated).toBe(true);
    }
    const streamed = inspectCaptureStream(chunked(file.subarray(0, file.length - 7), 100));
    expect(streamed.captureTruncated).toBe(true);
    expect(streamed.report.frames.data).toBe(2);
  });

  it('refuses a broken block with an error naming the block and its offset', () => {
    const file = writePcapng([smallSection(true)]);
    const shbBytes = 28;
    const idbBytes = new DataView(file.buffer).getUint32(shbBytes + 4, true);
    const epb = shbBytes + idbBytes;
    const broken = (edit: (v: DataView) => void): (() => unknown) => {
      const copy = file.slice();
      edit(new DataView(copy.buffer));
      return () => [...readCapture(copy).packets()];
    };
    const at = `pcapng enhanced packet block (type 0x6) at offset ${epb}`;
    expect(broken((v) => v.setUint32(epb + 4, 2_000_000, true))).toThrow(
      `${at}: total length 2000000 is more than maxBlockBytes 327680`,
    );
    expect(broken((v) => v.setUint32(epb + 4, 30, true))).toThrow(
      `${at}: total length 30 is not a multiple of 4`,
    );
    expect(broken((v) => v.setUint32(epb + 4, 16, true))).toThrow(
      `${at}: total length 16 is below its minimum 32`,
    );
    expect(broken((v) => v.setUint32(epb + 8, 7, true))).toThrow(
      `${at} names interface 7, but its section describes 1`,
    );
    expect(broken((v) => v.setUint32(epb + 20, 9999, true))).toThrow(`${at} claims a 9999-byte packet`);
    const epbLength = new DataView(file.buffer).getUint32(epb + 4, true);
    expect(broken((v) => v.setUint32(epb + epbLength - 4, 8, true))).toThrow(
      `${at} ends with total length 8`,
    );
    expect(broken((v) => v.setUint32(8, 0x12345678))).toThrow(
      /section header block at offset 0: byte-order magic/,
    );
    expect(broken((v) => v.setUint16(12, 2, true))).toThrow(
      /section header block \(type 0xa0d0d0a\) at offset 0 version 2\.0/,
    );
    expect(() => new PcapngReader(bufferSource(file.subarray(0, 20)))).toThrow(PcapFormatError);
    const small = () => [
      ...new PcapngReader(bufferSource(file), { maxPacketBytes: 40, maxBlockBytes: 4096 }).packets(),
    ];
    expect(small).toThrow(/holds a \d+-byte packet, more than maxPacketBytes 40/);
  });
});

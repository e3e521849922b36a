/**
 * The pcapng and IPv6 captures under data/pcaps, made by the project's own
 * writer from the vendored captures: each carries the same C37.118 bytes
 * as its source, so its frame counts are the source's, in another container.
 * `write-capture-fixtures.ts` writes them; a spec checks the committed files
 * are exactly what these functions make.
 */
import { readFileSync } from 'node:fs';
import {
  locateTransport,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
} from '../pcap/packet-decoder';
import { PcapReader, type PcapPacket } from '../pcap/pcap-reader';
import { commandFrame, encodeFrame } from '../codec/encode';
import type { CommandName } from '../codec/frame-types';
import { encodedConfig3Data, sampleConfig3, sampleConfig3Frames } from './config3-sample';
import {
  ethernetFrame,
  ipPacket,
  ipv6Of,
  join,
  linuxCookedFrame,
  tcpSegment,
  writePcap,
  writePcapng,
  type CaptureTime,
  type Ipv6Extension,
  type WrittenPacket,
} from './capture-writer';
import { PCAP_DIR } from './pcap-readme';

export interface CaptureFixture {
  /** File name under data/pcaps. */
  readonly file: string;
  /** The vendored capture it is made from; absent for one made from the project's own frames. */
  readonly source?: string;
  readonly make: (source: Uint8Array) => Uint8Array;
}

/** Extension-header chains given to successive packets, so every kind is crossed many times. */
const CHAINS: readonly (readonly Ipv6Extension[])[] = [
  [],
  ['hop-by-hop'],
  ['hop-by-hop', 'destination-options', 'routing'],
  ['atomic-fragment'],
  ['destination-options'],
];

export const CAPTURE_FIXTURES: readonly CaptureFixture[] = [
  { file: 'C37.118_1PMU_TCP_ipv6.pcapng', source: 'C37.118_1PMU_TCP.pcap', make: ipv6TcpPcapng },
  { file: 'C37.118_1PMU_UDP_sections.pcapng', source: 'C37.118_1PMU_UDP.pcap', make: sectionsPcapng },
  { file: 'C37.118_1PMU_UDP_minimal_ipv6.pcap', source: 'C37.118_1PMU_UDP_minimal.pcap', make: ipv6RawPcap },
  { file: 'cfg3_series_ipv6.pcapng', make: cfg3SeriesPcapng },
];

export function makeFixture(f: CaptureFixture): Uint8Array {
  return f.make(
    f.source === undefined ? new Uint8Array(0) : new Uint8Array(readFileSync(`${PCAP_DIR}${f.source}`)),
  );
}

/** Frames of the CFG-3 fixture: how many data frames follow the series, and the series' frame size. */
export const CFG3_FIXTURE = { dataFrames: 10, maxFrameBytes: 300, idcode: 7, pmus: 10 } as const;

/**
 * A PDC asking a PMU for CFG-3 over TCP on IPv6 (port 4712), the PMU
 * answering with the configuration split over several CFG-3 frames (some
 * segments holding two), then turning data on: data frames decodable only
 * with the reassembled configuration.
 */
function cfg3SeriesPcapng(): Uint8Array {
  const config = sampleConfig3({ idcode: CFG3_FIXTURE.idcode, pmuCount: CFG3_FIXTURE.pmus });
  const series = sampleConfig3Frames(config, CFG3_FIXTURE.maxFrameBytes);
  const command = (c: CommandName) =>
    encodeFrame(commandFrame(CFG3_FIXTURE.idcode, c, { soc: config.soc, fracsec: 0 }));
  const data = Array.from({ length: CFG3_FIXTURE.dataFrames }, (_, i) => encodedConfig3Data(config, i));
  const toPmu = new TcpFlow(
    ipv6Of(Uint8Array.of(10, 0, 0, 2)),
    ipv6Of(Uint8Array.of(10, 0, 0, 1)),
    50_000,
    4712,
  );
  const toPdc = toPmu.reverse();
  const segments = [
    toPmu.send(command('cfg3')),
    ...pairs(series).map((p) => toPdc.send(join(p))),
    toPmu.send(command('start')),
    ...data.map((d) => toPdc.send(d)),
  ];
  return writePcapng([
    {
      littleEndian: true,
      interfaces: [{ linkType: LINKTYPE_ETHERNET, resolution: { base: 10, exponent: 9 } }],
      packets: segments.map((data, i) => ({
        time: { seconds: config.soc, nanoseconds: i * 1_000_000 },
        data,
      })),
    },
  ]);
}

/** Frames two to a segment where they pair up, so a segment can carry more than one part of the series. */
function pairs(frames: readonly Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let i = 0; i < frames.length; i += 2) out.push(frames.slice(i, i + 2));
  return out;
}

/** One direction of a TCP connection (no handshake: the capture starts mid-connection), as Ethernet frames. */
class TcpFlow {
  private seq = 1000;

  constructor(
    private readonly src: Uint8Array,
    private readonly dst: Uint8Array,
    private readonly srcPort: number,
    private readonly dstPort: number,
  ) {}

  reverse(): TcpFlow {
    return new TcpFlow(this.dst, this.src, this.dstPort, this.srcPort);
  }

  send(payload: Uint8Array): Uint8Array {
    const transport = tcpSegment({
      srcPort: this.srcPort,
      dstPort: this.dstPort,
      seq: this.seq,
      ack: 1,
      flags: 0x18,
      payload,
    });
    this.seq += payload.length;
    return ethernetFrame(ipPacket({ src: this.src, dst: this.dst, protocol: 6, transport }));
  }
}

/** One little-endian section, Ethernet at nanosecond resolution, every IP packet moved to IPv6 with a chain of extension headers. */
function ipv6TcpPcapng(source: Uint8Array): Uint8Array {
  const packets = [...new PcapReader(source).packets()].map((p, i) => ({
    time: timeOf(p),
    data: rewrap(p, CHAINS[i % CHAINS.length], ethernetFrame) ?? p.data,
  }));
  return writePcapng([
    {
      littleEndian: true,
      interfaces: [{ linkType: LINKTYPE_ETHERNET, resolution: { base: 10, exponent: 9 } }],
      packets,
    },
  ]);
}

/**
 * Three sections in alternating byte order. The first: the source's
 * Ethernet IPv4 packets as they are, default microseconds, a name-resolution
 * block. The second: two interfaces, Ethernet (nanoseconds) with IPv4 and
 * Linux cooked (2^-20 s) with IPv6, packets alternating, statistics and
 * custom blocks between them. The third: simple packet blocks only.
 */
function sectionsPcapng(source: Uint8Array): Uint8Array {
  const all = [...new PcapReader(source).packets()];
  const third = Math.floor(all.length / 3);
  const [a, b, c] = [all.slice(0, third), all.slice(third, all.length - 3), all.slice(all.length - 3)];
  return writePcapng([
    {
      littleEndian: false,
      interfaces: [{ linkType: LINKTYPE_ETHERNET }],
      packets: a.map((p) => ({ time: timeOf(p), data: p.data })),
      otherBlocks: new Map([[-1, 'name-resolution']]),
    },
    {
      littleEndian: true,
      interfaces: [
        { linkType: LINKTYPE_ETHERNET, resolution: { base: 10, exponent: 9 } },
        { linkType: LINKTYPE_LINUX_SLL, resolution: { base: 2, exponent: 20 } },
      ],
      packets: b.map((p, i): WrittenPacket => {
        const cooked = i % 2 === 1 ? rewrap(p, CHAINS[i % CHAINS.length], linuxCookedFrame) : undefined;
        return cooked === undefined
          ? { time: timeOf(p), data: p.data }
          : { time: timeOf(p), data: cooked, interfaceId: 1 };
      }),
      otherBlocks: new Map([
        [3, 'interface-statistics'],
        [7, 'custom'],
      ]),
    },
    {
      littleEndian: false,
      interfaces: [{ linkType: LINKTYPE_ETHERNET, snapLength: 65535 }],
      packets: c.map((p) => ({ time: timeOf(p), data: p.data, simple: true })),
    },
  ]);
}

/** Classic pcap, big-endian, nanosecond magic, raw IPv6 link type, a hop-by-hop header on every packet. */
function ipv6RawPcap(source: Uint8Array): Uint8Array {
  const packets = [...new PcapReader(source).packets()].flatMap((p) => {
    const ip = rewrap(p, ['hop-by-hop'], (x) => x);
    return ip === undefined ? [] : [{ time: timeOf(p), data: ip }];
  });
  return writePcap(packets, { linkType: LINKTYPE_IPV6, littleEndian: false, nanosecond: true });
}

/** The packet's IPv4 TCP or UDP segment, carried over IPv6 with `chain`, framed by `frame`; undefined when not IPv4 TCP/UDP. */
function rewrap(
  p: PcapPacket,
  chain: readonly Ipv6Extension[],
  frame: (ip: Uint8Array) => Uint8Array,
): Uint8Array | undefined {
  const t = locateTransport(p.linkType, p.data);
  if (typeof t === 'string' || t.ipVersion !== 4 || (t.protocol !== 6 && t.protocol !== 17)) return undefined;
  const ip = ipPacket({
    src: ipv6Of(ipv4Bytes(t.src)),
    dst: ipv6Of(ipv4Bytes(t.dst)),
    protocol: t.protocol,
    transport: p.data.subarray(t.at, t.end),
    extensions: chain,
  });
  return frame(ip);
}

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** The source captures have microsecond timestamps: round to whole microseconds so nothing is invented. */
function timeOf(p: PcapPacket): CaptureTime {
  const seconds = Math.floor(p.time);
  return { seconds, nanoseconds: Math.round((p.time - seconds) * 1e6) * 1000 };
}

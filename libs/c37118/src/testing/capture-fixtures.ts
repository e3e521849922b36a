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
import {
  ethernetFrame,
  ipPacket,
  ipv6Of,
  linuxCookedFrame,
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
  /** The vendored capture it is made from. */
  readonly source: string;
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
];

export function makeFixture(f: CaptureFixture): Uint8Array {
  return f.make(new Uint8Array(readFileSync(`${PCAP_DIR}${f.source}`)));
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

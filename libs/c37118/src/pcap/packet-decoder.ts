/**
 * Link, IPv4, TCP and UDP header parsing for captured packets. Pure
 * functions: a packet the reader does not understand yields undefined with
 * no exception, and the caller counts it.
 */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100];

export interface TransportSegment {
  readonly protocol: 'tcp' | 'udp';
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** TCP only. */
  readonly seq: number;
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly payload: Uint8Array;
}

export type PacketSkip = 'link' | 'not-ipv4' | 'ip-fragment' | 'not-tcp-udp' | 'short';

export function decodePacket(linkType: number, data: Uint8Array): TransportSegment | PacketSkip {
  const ip = ipv4Offset(linkType, data);
  if (typeof ip === 'string') return ip;
  return decodeIpv4(data, ip);
}

function ipv4Offset(linkType: number, d: Uint8Array): number | PacketSkip {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      let at = 12;
      let type = u16(d, at);
      while (ETHERTYPE_VLAN.includes(type) && at + 6 <= d.length) {
        at += 4;
        type = u16(d, at);
      }
      return type === ETHERTYPE_IPV4 ? at + 2 : 'not-ipv4';
    }
    case LINKTYPE_LINUX_SLL:
      return u16(d, 14) === ETHERTYPE_IPV4 ? 16 : 'not-ipv4';
    case LINKTYPE_LINUX_SLL2:
      return u16(d, 0) === ETHERTYPE_IPV4 ? 20 : 'not-ipv4';
    case LINKTYPE_RAW:
      return 0;
    case LINKTYPE_NULL:
      return d.length >= 4 && (d[0] === 2 || d[3] === 2) ? 4 : 'not-ipv4';
    default:
      return 'link';
  }
}

function decodeIpv4(d: Uint8Array, at: number): TransportSegment | PacketSkip {
  if (at + 20 > d.length) return 'short';
  if (d[at] >> 4 !== 4) return 'not-ipv4';
  const headerBytes = (d[at] & 0x0f) * 4;
  // The IP total length, not the captured length, bounds the payload: Ethernet pads short frames.
  const end = Math.min(d.length, at + u16(d, at + 2));
  const fragment = u16(d, at + 6);
  if ((fragment & 0x2000) !== 0 || (fragment & 0x1fff) !== 0) return 'ip-fragment';
  const protocol = d[at + 9];
  const src = `${d[at + 12]}.${d[at + 13]}.${d[at + 14]}.${d[at + 15]}`;
  const dst = `${d[at + 16]}.${d[at + 17]}.${d[at + 18]}.${d[at + 19]}`;
  const l4 = at + headerBytes;
  if (protocol === 6) return decodeTcp(d, l4, end, src, dst);
  if (protocol === 17) return decodeUdp(d, l4, end, src, dst);
  return 'not-tcp-udp';
}

function decodeTcp(
  d: Uint8Array,
  at: number,
  end: number,
  src: string,
  dst: string,
): TransportSegment | PacketSkip {
  if (at + 20 > end) return 'short';
  const dataOffset = (d[at + 12] >> 4) * 4;
  const flags = d[at + 13];
  if (at + dataOffset > end) return 'short';
  return {
    protocol: 'tcp',
    src,
    dst,
    srcPort: u16(d, at),
    dstPort: u16(d, at + 2),
    seq: u32(d, at + 4),
    syn: (flags & 0x02) !== 0,
    fin: (flags & 0x01) !== 0,
    rst: (flags & 0x04) !== 0,
    payload: d.subarray(at + dataOffset, end),
  };
}

function decodeUdp(
  d: Uint8Array,
  at: number,
  end: number,
  src: string,
  dst: string,
): TransportSegment | PacketSkip {
  if (at + 8 > end) return 'short';
  const udpEnd = Math.min(end, at + u16(d, at + 4));
  return {
    protocol: 'udp',
    src,
    dst,
    srcPort: u16(d, at),
    dstPort: u16(d, at + 2),
    seq: 0,
    syn: false,
    fin: false,
    rst: false,
    payload: d.subarray(at + 8, udpEnd),
  };
}

function u16(d: Uint8Array, at: number): number {
  return at + 2 <= d.length ? (d[at] << 8) | d[at + 1] : -1;
}

function u32(d: Uint8Array, at: number): number {
  return ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
}

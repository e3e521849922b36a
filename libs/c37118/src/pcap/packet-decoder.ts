/**
 * Link, IPv4, IPv6, TCP and UDP header parsing for captured packets. Pure
 * functions: a packet the reader does not understand yields a skip reason
 * with no exception, and the caller counts it.
 */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100];
/** BSD loopback address families for IPv6 (NetBSD/OpenBSD, FreeBSD, macOS) and Linux's. */
const NULL_FAMILIES_IPV6 = [24, 28, 30, 10];

export const IPV6_HEADER_BYTES = 40;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;
export const IPV6_HOP_BY_HOP = 0;
export const IPV6_ROUTING = 43;
export const IPV6_FRAGMENT = 44;
export const IPV6_DESTINATION_OPTIONS = 60;
const IPV6_AUTHENTICATION = 51;
/** Most IPv6 extension headers followed before the packet is given up as not TCP or UDP. */
export const MAX_IPV6_EXTENSION_HEADERS = 8;

export interface TransportSegment {
  readonly protocol: 'tcp' | 'udp';
  readonly ipVersion: 4 | 6;
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

/**
 * Why a packet carries no TCP or UDP segment this reader follows. An IP
 * fragment (IPv4, or IPv6 with a fragment header other than an atomic one)
 * is refused, not reassembled: C37.118 over TCP never fragments, and a
 * fragmented UDP frame is counted here rather than decoded in part.
 */
export type PacketSkip = 'link' | 'not-ip' | 'ip-fragment' | 'not-tcp-udp' | 'short';

export const PACKET_SKIPS: readonly PacketSkip[] = ['link', 'not-ip', 'ip-fragment', 'not-tcp-udp', 'short'];

/** Where a packet's transport header lies, for decoders and for tools that rewrite captures. */
export interface TransportLocation {
  readonly ipVersion: 4 | 6;
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
  /** Offset of the TCP or UDP header. */
  readonly at: number;
  /** End of the IP payload (the IP length, not the captured length: Ethernet pads short frames). */
  readonly end: number;
}

export function decodePacket(linkType: number, data: Uint8Array): TransportSegment | PacketSkip {
  const t = locateTransport(linkType, data);
  if (typeof t === 'string') return t;
  if (t.protocol === IP_PROTOCOL_TCP) return decodeTcp(data, t);
  if (t.protocol === IP_PROTOCOL_UDP) return decodeUdp(data, t);
  return 'not-tcp-udp';
}

/** Finds the IP header by link type and walks it (and IPv6 extension headers) to the transport header. */
export function locateTransport(linkType: number, data: Uint8Array): TransportLocation | PacketSkip {
  const ip = networkOffset(linkType, data);
  if (typeof ip === 'string') return ip;
  if (ip >= data.length) return 'short';
  const version = data[ip] >> 4;
  if (version === 4) return locateInIpv4(data, ip);
  if (version === 6) return locateInIpv6(data, ip);
  return 'not-ip';
}

function networkOffset(linkType: number, d: Uint8Array): number | PacketSkip {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      let at = 12;
      let type = u16(d, at);
      while (ETHERTYPE_VLAN.includes(type) && at + 6 <= d.length) {
        at += 4;
        type = u16(d, at);
      }
      return isIpEthertype(type) ? at + 2 : 'not-ip';
    }
    case LINKTYPE_LINUX_SLL:
      return isIpEthertype(u16(d, 14)) ? 16 : 'not-ip';
    case LINKTYPE_LINUX_SLL2:
      return isIpEthertype(u16(d, 0)) ? 20 : 'not-ip';
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return 0;
    case LINKTYPE_NULL:
      return isNullFamilyIp(d) ? 4 : 'not-ip';
    default:
      return 'link';
  }
}

function isIpEthertype(type: number): boolean {
  return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6;
}

/** The 4-byte loopback header holds the address family in the capturing host's byte order. */
function isNullFamilyIp(d: Uint8Array): boolean {
  if (d.length < 4) return false;
  const family = d[0] !== 0 ? d[0] : d[3];
  return family === 2 || NULL_FAMILIES_IPV6.includes(family);
}

function locateInIpv4(d: Uint8Array, at: number): TransportLocation | PacketSkip {
  if (at + 20 > d.length) return 'short';
  const headerBytes = (d[at] & 0x0f) * 4;
  const end = Math.min(d.length, at + u16(d, at + 2));
  const fragment = u16(d, at + 6);
  if ((fragment & 0x2000) !== 0 || (fragment & 0x1fff) !== 0) return 'ip-fragment';
  return {
    ipVersion: 4,
    protocol: d[at + 9],
    src: `${d[at + 12]}.${d[at + 13]}.${d[at + 14]}.${d[at + 15]}`,
    dst: `${d[at + 16]}.${d[at + 17]}.${d[at + 18]}.${d[at + 19]}`,
    at: at + headerBytes,
    end,
  };
}

function locateInIpv6(d: Uint8Array, at: number): TransportLocation | PacketSkip {
  if (at + IPV6_HEADER_BYTES > d.length) return 'short';
  const payloadBytes = u16(d, at + 4);
  let next = d[at + 6];
  // Payload length 0 behind a hop-by-hop header is a jumbogram: only the captured bytes bound it.
  const end =
    payloadBytes === 0 && next === IPV6_HOP_BY_HOP
      ? d.length
      : Math.min(d.length, at + IPV6_HEADER_BYTES + payloadBytes);
  let p = at + IPV6_HEADER_BYTES;
  for (let headers = 0; next !== IP_PROTOCOL_TCP && next !== IP_PROTOCOL_UDP; headers += 1) {
    if (headers === MAX_IPV6_EXTENSION_HEADERS) return 'not-tcp-udp';
    const length = extensionHeaderBytes(d, p, end, next);
    if (typeof length === 'string') return length;
    next = d[p];
    p += length;
  }
  return { ipVersion: 6, protocol: next, src: ipv6Text(d, at + 8), dst: ipv6Text(d, at + 24), at: p, end };
}

/** Length of the extension header `type` at d[p], or why the walk stops there. */
function extensionHeaderBytes(d: Uint8Array, p: number, end: number, type: number): number | PacketSkip {
  const isExtension = [
    IPV6_HOP_BY_HOP,
    IPV6_ROUTING,
    IPV6_DESTINATION_OPTIONS,
    IPV6_FRAGMENT,
    IPV6_AUTHENTICATION,
  ].includes(type);
  if (!isExtension) return 'not-tcp-udp';
  if (p + 8 > end) return 'short';
  if (type === IPV6_FRAGMENT) {
    // Fragment offset (13 bits) and the M flag; an atomic fragment (both zero) is a whole packet.
    return (u16(d, p + 2) & 0xfff9) === 0 ? 8 : 'ip-fragment';
  }
  const length = type === IPV6_AUTHENTICATION ? (d[p + 1] + 2) * 4 : (d[p + 1] + 1) * 8;
  return p + length > end ? 'short' : length;
}

function decodeTcp(d: Uint8Array, t: TransportLocation): TransportSegment | PacketSkip {
  const { at, end } = t;
  if (at + 20 > end) return 'short';
  const dataOffset = (d[at + 12] >> 4) * 4;
  const flags = d[at + 13];
  if (at + dataOffset > end) return 'short';
  return {
    protocol: 'tcp',
    ipVersion: t.ipVersion,
    src: t.src,
    dst: t.dst,
    srcPort: u16(d, at),
    dstPort: u16(d, at + 2),
    seq: u32(d, at + 4),
    syn: (flags & 0x02) !== 0,
    fin: (flags & 0x01) !== 0,
    rst: (flags & 0x04) !== 0,
    payload: d.subarray(at + dataOffset, end),
  };
}

function decodeUdp(d: Uint8Array, t: TransportLocation): TransportSegment | PacketSkip {
  const { at, end } = t;
  if (at + 8 > end) return 'short';
  const udpEnd = Math.min(end, at + u16(d, at + 4));
  return {
    protocol: 'udp',
    ipVersion: t.ipVersion,
    src: t.src,
    dst: t.dst,
    srcPort: u16(d, at),
    dstPort: u16(d, at + 2),
    seq: 0,
    syn: false,
    fin: false,
    rst: false,
    payload: d.subarray(at + 8, udpEnd),
  };
}

/** RFC 5952 text: lowercase hex groups, the longest run of two or more zero groups written `::`. */
export function ipv6Text(d: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i += 1) groups.push(u16(d, at + 2 * i));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function u16(d: Uint8Array, at: number): number {
  return at + 2 <= d.length ? (d[at] << 8) | d[at + 1] : -1;
}

function u32(d: Uint8Array, at: number): number {
  return ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
}

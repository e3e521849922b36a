/**
 * Writes captures in memory: classic pcap and pcapng files, and the IPv4 or
 * IPv6 (with extension headers) packets inside them, with correct TCP and
 * UDP checksums so protocol analysers take them as they would real traffic.
 * Used to make the committed fixtures (see `capture-fixtures.ts`) and by specs.
 */
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IP_PROTOCOL_TCP,
  IP_PROTOCOL_UDP,
  IPV6_DESTINATION_OPTIONS,
  IPV6_FRAGMENT,
  IPV6_HOP_BY_HOP,
  IPV6_ROUTING,
} from '../pcap/packet-decoder';

/** A capture timestamp held as integers, so every resolution is written exactly. */
export interface CaptureTime {
  readonly seconds: number;
  readonly nanoseconds: number;
}

export interface WrittenPacket {
  readonly time: CaptureTime;
  readonly data: Uint8Array;
  /** pcapng: index of the interface in its section (default 0). */
  readonly interfaceId?: number;
  /** pcapng: write a simple packet block (no timestamp, interface 0) instead of an enhanced one. */
  readonly simple?: boolean;
  /** Length on the wire; defaults to the data's length. */
  readonly originalLength?: number;
}

/** if_tsresol: 10^-exponent or 2^-exponent seconds per unit. */
export interface TimestampResolution {
  readonly base: 10 | 2;
  readonly exponent: number;
}

export interface WrittenInterface {
  readonly linkType: number;
  readonly snapLength?: number;
  /** Omitted: the pcapng default, microseconds, with no if_tsresol option written. */
  readonly resolution?: TimestampResolution;
  /** if_tsoffset: whole seconds added to every timestamp of the interface (packet times are written less it). */
  readonly offsetSeconds?: number;
}

/** Blocks this reader skips, written between packets to prove it: name resolution, statistics, custom. */
export type OtherBlock = 'name-resolution' | 'interface-statistics' | 'custom';

export interface WrittenSection {
  readonly littleEndian: boolean;
  readonly interfaces: readonly WrittenInterface[];
  readonly packets: readonly WrittenPacket[];
  /** Blocks written after the packet of the same index (before the first packet when the index is -1). */
  readonly otherBlocks?: ReadonlyMap<number, OtherBlock>;
}

export interface PcapFileOptions {
  readonly linkType: number;
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  readonly snapLength?: number;
}

/** A classic pcap file. */
export function writePcap(packets: readonly WrittenPacket[], o: PcapFileOptions): Uint8Array {
  const le = o.littleEndian;
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
  head.setUint16(4, 2, le);
  head.setUint16(6, 4, le);
  head.setUint32(16, o.snapLength ?? 262_144, le);
  head.setUint32(20, o.linkType, le);
  const records = packets.map((p) => {
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, p.time.seconds, le);
    r.setUint32(4, o.nanosecond ? p.time.nanoseconds : Math.floor(p.time.nanoseconds / 1000), le);
    r.setUint32(8, p.data.length, le);
    r.setUint32(12, p.originalLength ?? p.data.length, le);
    return join([bytesOf(r), p.data]);
  });
  return join([bytesOf(head), ...records]);
}

/** A pcapng file of one or more sections, each in its own byte order with its own interfaces. */
export function writePcapng(sections: readonly WrittenSection[]): Uint8Array {
  return join(sections.flatMap(sectionBlocks));
}

function sectionBlocks(s: WrittenSection): Uint8Array[] {
  const le = s.littleEndian;
  const shb = new DataView(new ArrayBuffer(16));
  shb.setUint32(0, 0x1a2b3c4d, le);
  shb.setUint16(4, 1, le);
  shb.setUint16(6, 0, le);
  shb.setBigInt64(8, -1n, le);
  const out = [block(0x0a0d0d0a, bytesOf(shb), le)];
  for (const iface of s.interfaces) out.push(interfaceBlock(iface, le));
  const other = (i: number): void => {
    const kind = s.otherBlocks?.get(i);
    if (kind !== undefined) out.push(otherBlock(kind, le));
  };
  other(-1);
  s.packets.forEach((p, i) => {
    const iface = s.interfaces[p.interfaceId ?? 0];
    if (iface === undefined)
      throw new Error(`packet ${i} names interface ${p.interfaceId}, not in its section`);
    out.push(p.simple ? simpleBlock(p, le) : enhancedBlock(p, iface, le));
    other(i);
  });
  return out;
}

function interfaceBlock(iface: WrittenInterface, le: boolean): Uint8Array {
  const fixed = new DataView(new ArrayBuffer(8));
  fixed.setUint16(0, iface.linkType, le);
  fixed.setUint32(4, iface.snapLength ?? 0, le);
  const options: Uint8Array[] = [];
  const r = iface.resolution;
  if (r !== undefined) options.push(option(9, Uint8Array.of((r.base === 2 ? 0x80 : 0) | r.exponent), le));
  if (iface.offsetSeconds !== undefined) {
    const offset = new DataView(new ArrayBuffer(8));
    offset.setBigInt64(0, BigInt(iface.offsetSeconds), le);
    options.push(option(14, bytesOf(offset), le));
  }
  if (options.length > 0) options.push(option(0, new Uint8Array(0), le));
  return block(1, join([bytesOf(fixed), ...options]), le);
}

function enhancedBlock(p: WrittenPacket, iface: WrittenInterface, le: boolean): Uint8Array {
  const since = { ...p.time, seconds: p.time.seconds - (iface.offsetSeconds ?? 0) };
  const units = timeUnits(since, iface.resolution ?? { base: 10, exponent: 6 });
  const fixed = new DataView(new ArrayBuffer(20));
  fixed.setUint32(0, p.interfaceId ?? 0, le);
  fixed.setUint32(4, Number(units >> 32n), le);
  fixed.setUint32(8, Number(units & 0xffffffffn), le);
  fixed.setUint32(12, p.data.length, le);
  fixed.setUint32(16, p.originalLength ?? p.data.length, le);
  return block(6, join([bytesOf(fixed), padded(p.data)]), le);
}

function simpleBlock(p: WrittenPacket, le: boolean): Uint8Array {
  const fixed = new DataView(new ArrayBuffer(4));
  fixed.setUint32(0, p.originalLength ?? p.data.length, le);
  return block(3, join([bytesOf(fixed), padded(p.data)]), le);
}

function otherBlock(kind: OtherBlock, le: boolean): Uint8Array {
  switch (kind) {
    case 'name-resolution': {
      // One IPv4 record (10.0.0.1 "pmu"), then nrb_record_end.
      const record = join([Uint8Array.of(10, 0, 0, 1), new TextEncoder().encode('pmu\0')]);
      return block(4, join([option(1, record, le), option(0, new Uint8Array(0), le)]), le);
    }
    case 'interface-statistics': {
      const body = new DataView(new ArrayBuffer(12));
      return block(5, bytesOf(body), le);
    }
    case 'custom': {
      // Private enterprise number 32473 is reserved for documentation (RFC 5612).
      const body = new DataView(new ArrayBuffer(8));
      body.setUint32(0, 32473, le);
      return block(0x00000bad, bytesOf(body), le);
    }
  }
}

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const length = 12 + padded(body).length;
  const head = new DataView(new ArrayBuffer(8));
  head.setUint32(0, type, le);
  head.setUint32(4, length, le);
  const tail = new DataView(new ArrayBuffer(4));
  tail.setUint32(0, length, le);
  return join([bytesOf(head), padded(body), bytesOf(tail)]);
}

function option(code: number, value: Uint8Array, le: boolean): Uint8Array {
  const head = new DataView(new ArrayBuffer(4));
  head.setUint16(0, code, le);
  head.setUint16(2, value.length, le);
  return join([bytesOf(head), padded(value)]);
}

function timeUnits(t: CaptureTime, r: TimestampResolution): bigint {
  const perSecond = r.base === 2 ? 1n << BigInt(r.exponent) : 10n ** BigInt(r.exponent);
  return BigInt(t.seconds) * perSecond + (BigInt(t.nanoseconds) * perSecond) / 1_000_000_000n;
}

// ---- packets ----

export type Ipv6Extension = 'hop-by-hop' | 'routing' | 'destination-options' | 'atomic-fragment';

export interface IpPacketSpec {
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly protocol: number;
  /** The TCP or UDP header and payload; its checksum field is filled in here. */
  readonly transport: Uint8Array;
  /** IPv6 only, in order after the fixed header. */
  readonly extensions?: readonly Ipv6Extension[];
  readonly hopLimit?: number;
}

/** An IPv4 or IPv6 packet (by the address length) with the transport checksum computed over its pseudo-header. */
export function ipPacket(spec: IpPacketSpec): Uint8Array {
  const transport = withChecksum(spec);
  if (spec.src.length === 4) return ipv4(spec, transport);
  if (spec.src.length !== 16 || spec.dst.length !== 16) throw new Error('addresses must be 4 or 16 bytes');
  const chain = spec.extensions ?? [];
  const types = chain.map(extensionType);
  const headers = chain.map((e, i) =>
    extensionHeader(e, i + 1 < chain.length ? types[i + 1] : spec.protocol),
  );
  const fixed = new Uint8Array(40);
  const v = new DataView(fixed.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, headers.reduce((n, h) => n + h.length, 0) + transport.length);
  fixed[6] = types.length > 0 ? types[0] : spec.protocol;
  fixed[7] = spec.hopLimit ?? 64;
  fixed.set(spec.src, 8);
  fixed.set(spec.dst, 24);
  return join([fixed, ...headers, transport]);
}

function ipv4(spec: IpPacketSpec, transport: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  h[0] = 0x45;
  v.setUint16(2, 20 + transport.length);
  v.setUint16(6, 0x4000);
  h[8] = spec.hopLimit ?? 64;
  h[9] = spec.protocol;
  h.set(spec.src, 12);
  h.set(spec.dst, 16);
  v.setUint16(10, internetChecksum([h]));
  return join([h, transport]);
}

function extensionType(e: Ipv6Extension): number {
  if (e === 'hop-by-hop') return IPV6_HOP_BY_HOP;
  if (e === 'routing') return IPV6_ROUTING;
  if (e === 'destination-options') return IPV6_DESTINATION_OPTIONS;
  return IPV6_FRAGMENT;
}

/** Eight-byte extension headers: options are one PadN; routing is type 0 with no segments left. */
function extensionHeader(e: Ipv6Extension, next: number): Uint8Array {
  const h = new Uint8Array(8);
  h[0] = next;
  if (e === 'hop-by-hop' || e === 'destination-options') h.set([1, 4], 2);
  if (e === 'atomic-fragment') new DataView(h.buffer).setUint32(4, 0x2c37);
  return h;
}

function withChecksum(spec: IpPacketSpec): Uint8Array {
  const at = spec.protocol === IP_PROTOCOL_TCP ? 16 : spec.protocol === IP_PROTOCOL_UDP ? 6 : -1;
  if (at < 0) return spec.transport;
  const t = spec.transport.slice();
  t[at] = 0;
  t[at + 1] = 0;
  const pseudo = new DataView(new ArrayBuffer(spec.src.length === 4 ? 12 : 40));
  const p = new Uint8Array(pseudo.buffer);
  p.set(spec.src, 0);
  p.set(spec.dst, spec.src.length);
  if (spec.src.length === 4) {
    p[9] = spec.protocol;
    pseudo.setUint16(10, t.length);
  } else {
    pseudo.setUint32(32, t.length);
    p[39] = spec.protocol;
  }
  let sum = internetChecksum([p, t]);
  // UDP sends a computed zero as all ones: zero means "no checksum".
  if (sum === 0 && spec.protocol === IP_PROTOCOL_UDP) sum = 0xffff;
  new DataView(t.buffer).setUint16(at, sum);
  return t;
}

function internetChecksum(parts: readonly Uint8Array[]): number {
  const all = join(parts);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += (all[i] << 8) | (i + 1 < all.length ? all[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface TcpHeaderSpec {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack?: number;
  /** TCP flag bits (0x02 SYN, 0x10 ACK, 0x18 PSH+ACK ...). */
  readonly flags: number;
  readonly window?: number;
  readonly payload: Uint8Array;
}

export function tcpSegment(s: TcpHeaderSpec): Uint8Array {
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint16(0, s.srcPort);
  v.setUint16(2, s.dstPort);
  v.setUint32(4, s.seq >>> 0);
  v.setUint32(8, (s.ack ?? 0) >>> 0);
  h[12] = 5 << 4;
  h[13] = s.flags;
  v.setUint16(14, s.window ?? 65535);
  return join([h, s.payload]);
}

export function udpDatagram(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, srcPort);
  v.setUint16(2, dstPort);
  v.setUint16(4, 8 + payload.length);
  return join([h, payload]);
}

/** An Ethernet II frame (documentation MAC addresses) carrying IPv4 or IPv6 by the packet's version nibble. */
export function ethernetFrame(ip: Uint8Array): Uint8Array {
  const h = new Uint8Array(14);
  h.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]);
  new DataView(h.buffer).setUint16(12, ip[0] >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
  return join([h, ip]);
}

/** A Linux cooked (SLL) header, packet sent by us, carrying IPv4 or IPv6. */
export function linuxCookedFrame(ip: Uint8Array): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setUint16(0, 4);
  v.setUint16(2, 1);
  v.setUint16(4, 6);
  h.set([0x02, 0, 0, 0, 0, 0x02], 6);
  v.setUint16(14, ip[0] >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
  return join([h, ip]);
}

/** 2001:db8::/96 (documentation prefix) with the IPv4 address in its last four bytes. */
export function ipv6Of(ipv4Address: Uint8Array): Uint8Array {
  const a = new Uint8Array(16);
  a.set([0x20, 0x01, 0x0d, 0xb8]);
  a.set(ipv4Address, 12);
  return a;
}

function padded(b: Uint8Array): Uint8Array {
  const pad = (4 - (b.length % 4)) % 4;
  return pad === 0 ? b : join([b, new Uint8Array(pad)]);
}

function bytesOf(v: DataView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

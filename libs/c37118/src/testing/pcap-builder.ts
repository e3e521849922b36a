/**
 * Builds small classic pcap files (Ethernet, IPv4, TCP or UDP) in memory
 * for specs that need captures with chosen faults.
 */
export interface BuiltPacket {
  readonly protocol: 'tcp' | 'udp';
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
  /** TCP sequence number of the first payload byte. */
  readonly seq?: number;
  readonly syn?: boolean;
}

export function buildPcap(packets: readonly BuiltPacket[]): Uint8Array {
  const records = packets.map((p, i) => record(i, ethernet(p)));
  const global = new Uint8Array(24);
  const g = new DataView(global.buffer);
  g.setUint32(0, 0xa1b2c3d4, true);
  g.setUint16(4, 2, true);
  g.setUint16(6, 4, true);
  g.setUint32(16, 65535, true);
  g.setUint32(20, 1, true);
  return join([global, ...records]);
}

function record(i: number, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(16);
  const h = new DataView(head.buffer);
  h.setUint32(0, 1_700_000_000 + i, true);
  h.setUint32(8, data.length, true);
  h.setUint32(12, data.length, true);
  return join([head, data]);
}

function ethernet(p: BuiltPacket): Uint8Array {
  const l4 = p.protocol === 'udp' ? udp(p) : tcp(p);
  const ip = new Uint8Array(20);
  const v = new DataView(ip.buffer);
  ip[0] = 0x45;
  v.setUint16(2, 20 + l4.length);
  ip[8] = 64;
  ip[9] = p.protocol === 'udp' ? 17 : 6;
  ip.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
  const eth = new Uint8Array(14);
  eth.set([0x08, 0x00], 12);
  return join([eth, ip, l4]);
}

function udp(p: BuiltPacket): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, p.srcPort);
  v.setUint16(2, p.dstPort);
  v.setUint16(4, 8 + p.payload.length);
  return join([h, p.payload]);
}

function tcp(p: BuiltPacket): Uint8Array {
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint16(0, p.srcPort);
  v.setUint16(2, p.dstPort);
  v.setUint32(4, p.seq ?? 0);
  h[12] = 5 << 4;
  h[13] = p.syn ? 0x02 : 0x18;
  return join([h, p.payload]);
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

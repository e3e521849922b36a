import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PcapFormatError } from '../errors/pcap-format-error';
import { PCAP_DIR } from '../testing/pcap-readme';
import { inspectCapture } from './capture-inspector';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from './packet-decoder';
import { PcapReader } from './pcap-reader';
import { PcapStreamReader, type ByteSource } from './pcap-stream-reader';

const original = new Uint8Array(readFileSync(`${PCAP_DIR}C37.118_1PMU_TCP.pcap`));

/** Rewrites a little-endian capture's headers in big-endian order, optionally converting Ethernet to Linux cooked. */
function rewrite(file: Uint8Array, options: { bigEndian: boolean; sll: boolean }): Uint8Array {
  const src = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const le = new PcapReader(file).summary.littleEndian;
  const parts: Uint8Array[] = [];
  const global = new Uint8Array(24);
  const g = new DataView(global.buffer);
  g.setUint32(0, 0xa1b2c3d4, !options.bigEndian);
  g.setUint16(4, 2, !options.bigEndian);
  g.setUint16(6, 4, !options.bigEndian);
  g.setUint32(16, 65535, !options.bigEndian);
  g.setUint32(20, options.sll ? LINKTYPE_LINUX_SLL : LINKTYPE_ETHERNET, !options.bigEndian);
  parts.push(global);
  for (let at = 24; at < file.length;) {
    const len = src.getUint32(at + 8, le);
    let data = file.subarray(at + 16, at + 16 + len);
    if (options.sll) {
      const cooked = new Uint8Array(16 + data.length - 14);
      cooked.set([0, 0, 0, 1, 0, 6, ...data.subarray(6, 12), 0, 0, 0x08, 0x00]);
      cooked.set(data.subarray(14), 16);
      data = cooked;
    }
    const rec = new Uint8Array(16 + data.length);
    const r = new DataView(rec.buffer);
    r.setUint32(0, src.getUint32(at, le), !options.bigEndian);
    r.setUint32(4, src.getUint32(at + 4, le), !options.bigEndian);
    r.setUint32(8, data.length, !options.bigEndian);
    r.setUint32(12, data.length, !options.bigEndian);
    rec.set(data, 16);
    parts.push(rec);
    at += 16 + len;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('PcapReader', () => {
  const reference = inspectCapture(original).report;

  it('reads a big-endian capture the same as the little-endian one', () => {
    const big = rewrite(original, { bigEndian: true, sll: false });
    expect(new PcapReader(big).summary.littleEndian).toBe(false);
    expect(inspectCapture(big).report).toEqual(reference);
  });

  it('reads Linux cooked (SLL) link-layer captures', () => {
    const sll = rewrite(original, { bigEndian: false, sll: true });
    expect(new PcapReader(sll).summary.linkType).toBe(LINKTYPE_LINUX_SLL);
    expect(inspectCapture(sll).report).toEqual(reference);
  });

  it('stops at a record cut short and says so', () => {
    const cut = original.subarray(0, original.length - 5);
    const reader = new PcapReader(cut);
    const n = [...reader.packets()].length;
    expect(reader.summary.truncated).toBe(true);
    expect(n).toBe([...new PcapReader(original).packets()].length - 1);
  });

  it('refuses pcapng and non-captures with a clear error', () => {
    expect(() => new PcapReader(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Array(28).fill(0)))).toThrow(
      /pcapng/,
    );
    expect(() => new PcapReader(new Uint8Array(10))).toThrow(PcapFormatError);
  });
});

describe('PcapStreamReader', () => {
  /** A source handing out at most `step` bytes per read, as a pipe does. */
  function source(file: Uint8Array, step: number): ByteSource {
    let at = 0;
    return (into, offset, length) => {
      const n = Math.min(step, length, file.length - at);
      into.set(file.subarray(at, at + n), offset);
      at += n;
      return n;
    };
  }

  it('reads the same packets as the in-memory reader, whatever the read sizes', () => {
    const expected = [...new PcapReader(original).packets()];
    for (const step of [1, 7, 4096]) {
      const streamed = [...new PcapStreamReader(source(original, step)).packets()];
      expect(streamed.length).toBe(expected.length);
      expect(streamed.map((p) => [p.time, p.originalLength, [...p.data]])).toEqual(
        expected.map((p) => [p.time, p.originalLength, [...p.data]]),
      );
    }
  });

  it('marks a capture cut inside a record as truncated and refuses a record past maxPacketBytes', () => {
    const cut = new PcapStreamReader(source(original.subarray(0, original.length - 3), 4096));
    const packets = [...cut.packets()];
    expect(packets.length).toBe([...new PcapReader(original).packets()].length - 1);
    expect(cut.summary.truncated).toBe(true);
    const small = new PcapStreamReader(source(original, 4096), 40);
    expect(() => [...small.packets()]).toThrow(PcapFormatError);
    expect(() => new PcapStreamReader(source(new Uint8Array(10), 10))).toThrow(/global header needs 24/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PcapFormatError } from '../errors/pcap-format-error';
import { ethernetFrame, ipPacket, tcpSegment, udpDatagram, writePcapng } from '../testing/capture-writer';
import { concat, encodedConfig, encodedData, encodedHeader } from '../testing/sample-stream';
import { inspectCapture } from './capture-inspector';
import { openCapture } from './capture-reader';
import { LINKTYPE_ETHERNET, LINKTYPE_IPV6 } from './packet-decoder';
import type { ByteSource } from './pcap-stream-reader';

const V6_A = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1);
const V6_B = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2);
const stream = concat([encodedHeader, encodedConfig, ...[0, 1, 2, 3].map((i) => encodedData(i))]);
const MAX_PACKET_BYTES = 2048;
const MAX_BLOCK_BYTES = 4096;

/** Two sections in both byte orders: IPv4 UDP over Ethernet, and IPv6 TCP with extension headers on a raw interface. */
const capture = writePcapng([
  {
    littleEndian: true,
    interfaces: [{ linkType: LINKTYPE_ETHERNET, resolution: { base: 10, exponent: 9 } }],
    packets: [encodedConfig, encodedData(0)].map((f, i) => ({
      time: { seconds: 1_700_000_000 + i, nanoseconds: 5 },
      data: ethernetFrame(
        ipPacket({
          src: Uint8Array.of(10, 0, 0, 1),
          dst: Uint8Array.of(10, 0, 0, 2),
          protocol: 17,
          transport: udpDatagram(4713, 4713, f),
        }),
      ),
    })),
    otherBlocks: new Map([[0, 'custom']]),
  },
  {
    littleEndian: false,
    interfaces: [{ linkType: LINKTYPE_IPV6, resolution: { base: 2, exponent: 20 } }],
    packets: [0, 1, 2, 3].map((k) => ({
      time: { seconds: 1_700_000_010, nanoseconds: k * 1000 },
      data: ipPacket({
        src: V6_A,
        dst: V6_B,
        protocol: 6,
        transport: tcpSegment({
          srcPort: 4712,
          dstPort: 50000,
          seq: 1 + k * 40,
          flags: 0x18,
          payload: stream.subarray(k * 40, k === 3 ? stream.length : (k + 1) * 40),
        }),
        extensions: k % 2 === 0 ? ['hop-by-hop', 'routing'] : ['destination-options'],
      }),
    })),
    otherBlocks: new Map([[1, 'interface-statistics']]),
  },
]);

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set32'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; n: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  // Lengths, interface ids, captured lengths and option headers are 32- or 16-bit words: hit them whole.
  fc.record({
    op: fc.constant('set32' as const),
    at: fc.nat(),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 12, 0xffffffff, 0x0a0d0d0a)),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
);

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % bytes.length;
  switch (m.op) {
    case 'flip': {
      const out = bytes.slice();
      out[at] ^= 1 << m.bit;
      return out;
    }
    case 'set32': {
      const out = bytes.slice();
      const word = at - (at % 4);
      if (word + 4 <= out.length) new DataView(out.buffer).setUint32(word, m.value >>> 0, (m.at & 1) === 0);
      return out;
    }
    case 'insert':
      return concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    case 'delete':
      return concat([bytes.subarray(0, at), bytes.subarray(at + m.n)]);
  }
}

/** A source that counts the largest single read asked of it: the reader's buffers follow its bounds. */
function source(file: Uint8Array, step: number): ByteSource {
  let at = 0;
  return (into, offset, length) => {
    const n = Math.min(step, length, file.length - at);
    into.set(file.subarray(at, at + n), offset);
    at += n;
    return n;
  };
}

describe('pcapng reader fuzz (fast-check mutations of a two-section capture)', () => {
  it('reads the unmutated capture: six C37.118 frames over IPv4 and IPv6', () => {
    const d = inspectCapture(capture);
    expect(d.report.frames).toMatchObject({ header: 1, cfg2: 2, data: 5 });
    expect(d.packets.ipv6).toBe(4);
  });

  it('either reads packets within its bounds or throws a PcapFormatError naming a block and offset, never anything else', () => {
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 300 }),
        (ms, step) => {
          const file = ms.reduce(mutate, capture);
          try {
            const reader = openCapture(source(file, step), {
              maxPacketBytes: MAX_PACKET_BYTES,
              maxBlockBytes: MAX_BLOCK_BYTES,
            });
            for (const p of reader.packets()) {
              expect(p.data.length).toBeLessThanOrEqual(MAX_PACKET_BYTES);
              expect(Number.isFinite(p.time)).toBe(true);
            }
            // The inspector on the same bytes never throws past the reader either.
            inspectCapture(file, {
              maxFrameBytes: 65535,
              maxOutOfOrderBytes: 1 << 16,
              maxConfigs: 16,
              maxFlows: 16,
              maxStations: 16,
              maxPacketBytes: MAX_PACKET_BYTES,
              maxBlockBytes: MAX_BLOCK_BYTES,
              maxHeldBytes: 1 << 16,
            });
          } catch (error) {
            expect(error).toBeInstanceOf(PcapFormatError);
            const message = (error as Error).message;
            if (!/magic|global header/.test(message))
              expect(message).toMatch(/pcapng .*block.* at offset \d+|section header block/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

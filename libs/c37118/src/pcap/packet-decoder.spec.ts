import { describe, expect, it } from 'vitest';
import {
  ethernetFrame,
  ipPacket,
  linuxCookedFrame,
  tcpSegment,
  udpDatagram,
} from '../testing/capture-writer';
import {
  decodePacket,
  ipv6Text,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_NULL,
  MAX_IPV6_EXTENSION_HEADERS,
  type TransportSegment,
} from './packet-decoder';

const SRC = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
const DST = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0x42);
const PAYLOAD = Uint8Array.of(0xaa, 0x01, 0x02, 0x03);

function v6(protocol: 6 | 17, extensions: Parameters<typeof ipPacket>[0]['extensions'] = []): Uint8Array {
  const transport =
    protocol === 6
      ? tcpSegment({ srcPort: 4712, dstPort: 50000, seq: 7, flags: 0x18, payload: PAYLOAD })
      : udpDatagram(4713, 4713, PAYLOAD);
  return ipPacket({ src: SRC, dst: DST, protocol, transport, extensions });
}

describe('decodePacket over IPv6', () => {
  it('walks hop-by-hop, routing, destination-options and atomic fragment headers to TCP and UDP', () => {
    const chains = [
      [],
      ['hop-by-hop'],
      ['hop-by-hop', 'destination-options', 'routing', 'atomic-fragment', 'destination-options'],
    ] as const;
    for (const chain of chains) {
      const tcp = decodePacket(LINKTYPE_ETHERNET, ethernetFrame(v6(6, chain))) as TransportSegment;
      expect(tcp).toMatchObject({
        protocol: 'tcp',
        src: '2001:db8::1',
        dst: 'fe80::200:0:0:42',
        srcPort: 4712,
        seq: 7,
      });
      expect([...tcp.payload]).toEqual([...PAYLOAD]);
      const udp = decodePacket(LINKTYPE_LINUX_SLL, linuxCookedFrame(v6(17, chain))) as TransportSegment;
      expect(udp).toMatchObject({ protocol: 'udp', dstPort: 4713 });
      expect([...udp.payload]).toEqual([...PAYLOAD]);
    }
    expect(decodePacket(LINKTYPE_IPV6, v6(17, ['routing']))).toMatchObject({ protocol: 'udp' });
    const loopback = new Uint8Array([30, 0, 0, 0, ...v6(17)]);
    expect(decodePacket(LINKTYPE_NULL, loopback)).toMatchObject({ protocol: 'udp' });
  });

  it('refuses a fragment (not reassembled), an unknown next header and a header chain past the bound', () => {
    const fragment = v6(17, ['atomic-fragment']);
    const fragmentHeader = 40;
    fragment[fragmentHeader + 3] = 1; // M flag: more fragments follow
    expect(decodePacket(LINKTYPE_IPV6, fragment)).toBe('ip-fragment');
    const later = v6(17, ['atomic-fragment']);
    later[fragmentHeader + 2] = 0x01; // offset 32 bytes, no M flag: the last fragment
    expect(decodePacket(LINKTYPE_IPV6, later)).toBe('ip-fragment');
    const esp = v6(17);
    esp[6] = 50;
    expect(decodePacket(LINKTYPE_IPV6, esp)).toBe('not-tcp-udp');
    const long = v6(
      17,
      Array.from({ length: MAX_IPV6_EXTENSION_HEADERS + 1 }, () => 'destination-options' as const),
    );
    expect(decodePacket(LINKTYPE_IPV6, long)).toBe('not-tcp-udp');
    const within = v6(
      17,
      Array.from({ length: MAX_IPV6_EXTENSION_HEADERS }, () => 'destination-options' as const),
    );
    expect(decodePacket(LINKTYPE_IPV6, within)).toMatchObject({ protocol: 'udp' });
  });

  it('says short for headers cut off by the capture or by the payload length', () => {
    const whole = v6(6, ['hop-by-hop']);
    expect(decodePacket(LINKTYPE_IPV6, whole.subarray(0, 30))).toBe('short');
    expect(decodePacket(LINKTYPE_IPV6, whole.subarray(0, 44))).toBe('short');
    const lying = whole.slice();
    lying[5] = 10; // payload length 10: the extension header fits, the TCP header does not
    expect(decodePacket(LINKTYPE_IPV6, lying)).toBe('short');
  });

  it('writes addresses as RFC 5952 text', () => {
    expect(ipv6Text(SRC, 0)).toBe('2001:db8::1');
    expect(ipv6Text(new Uint8Array(16), 0)).toBe('::');
    expect(ipv6Text(Uint8Array.of(0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0), 0)).toBe('1:0:2::3:0:0');
  });
});

import { C37ConfigError } from '../errors/config-error';
import { PcapFormatError } from '../errors/pcap-format-error';
import {
  GLOBAL_HEADER_BYTES,
  parseGlobalHeader,
  RECORD_HEADER_BYTES,
  type PcapPacket,
  type PcapSummary,
} from './pcap-reader';

/** Where a streamed capture's bytes come from: fills `into[at, at + length)` and returns how many it wrote, 0 at the end. */
export type ByteSource = (into: Uint8Array, at: number, length: number) => number;

/** libpcap's largest snapshot length; a record claiming more is not a capture this reader follows. */
export const DEFAULT_MAX_PACKET_BYTES = 262_144;

/**
 * Classic pcap read record by record from a source (a file descriptor, a
 * pipe), so a capture of any length is inspected holding one packet at a
 * time rather than the whole file. Each packet gets its own buffer: the TCP
 * reassembler may keep a segment while it waits for an earlier one.
 */
export class PcapStreamReader {
  readonly summary: PcapSummary;
  private readonly head = new Uint8Array(RECORD_HEADER_BYTES);
  private readonly view = new DataView(this.head.buffer);

  constructor(
    private readonly read: ByteSource,
    private readonly maxPacketBytes = DEFAULT_MAX_PACKET_BYTES,
  ) {
    if (!Number.isInteger(maxPacketBytes) || maxPacketBytes < 1)
      throw new C37ConfigError(`maxPacketBytes must be a positive integer, got ${String(maxPacketBytes)}`);
    const global = new Uint8Array(GLOBAL_HEADER_BYTES);
    this.summary = parseGlobalHeader(global.subarray(0, this.fill(global)));
  }

  *packets(): Generator<PcapPacket> {
    const le = this.summary.littleEndian;
    const divisor = this.summary.nanosecond ? 1e9 : 1e6;
    for (let index = 1; ; index++) {
      const got = this.fill(this.head);
      if (got === 0) return;
      if (got < RECORD_HEADER_BYTES) return this.cutShort();
      const included = this.view.getUint32(8, le);
      if (included > this.maxPacketBytes) {
        throw new PcapFormatError(
          `packet record ${index} claims ${included} bytes, more than maxPacketBytes ${this.maxPacketBytes}`,
        );
      }
      const data = new Uint8Array(included);
      if (this.fill(data) < included) return this.cutShort();
      yield {
        time: this.view.getUint32(0, le) + this.view.getUint32(4, le) / divisor,
        linkType: this.summary.linkType,
        data,
        originalLength: this.view.getUint32(12, le),
      };
    }
  }

  private cutShort(): void {
    this.summary.truncated = true;
  }

  /** Reads until `into` is full or the source ends; returns the bytes read. */
  private fill(into: Uint8Array): number {
    let at = 0;
    while (at < into.length) {
      const n = this.read(into, at, into.length - at);
      if (n === 0) break;
      at += n;
    }
    return at;
  }
}

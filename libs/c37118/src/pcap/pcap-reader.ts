import { PcapFormatError } from '../errors/pcap-format-error';

export interface PcapPacket {
  /** Capture time in UNIX seconds. */
  readonly time: number;
  readonly linkType: number;
  readonly data: Uint8Array;
  /** Original length on the wire; larger than data.length when the capture was cut by snaplen. */
  readonly originalLength: number;
}

const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
export const GLOBAL_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 16;

export interface PcapSummary {
  readonly format: 'pcap';
  readonly linkType: number;
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  /** True when the file ends inside a record (a capture cut short); the partial record is ignored. */
  truncated: boolean;
}

/**
 * Classic libpcap file reader (pcapng is `PcapngReader`), either byte order, micro- or
 * nanosecond timestamps. Yields packets lazily as views into the file buffer.
 */
export class PcapReader {
  readonly summary: PcapSummary;
  private readonly view: DataView;

  constructor(private readonly file: Uint8Array) {
    this.summary = parseGlobalHeader(file);
    this.view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  }

  *packets(): Generator<PcapPacket> {
    const le = this.summary.littleEndian;
    const divisor = this.summary.nanosecond ? 1e9 : 1e6;
    let at = GLOBAL_HEADER_BYTES;
    while (at < this.file.length) {
      if (at + RECORD_HEADER_BYTES > this.file.length) {
        this.summary.truncated = true;
        return;
      }
      const seconds = this.view.getUint32(at, le);
      const fraction = this.view.getUint32(at + 4, le);
      const included = this.view.getUint32(at + 8, le);
      const originalLength = this.view.getUint32(at + 12, le);
      const start = at + RECORD_HEADER_BYTES;
      if (start + included > this.file.length) {
        this.summary.truncated = true;
        return;
      }
      yield {
        time: seconds + fraction / divisor,
        linkType: this.summary.linkType,
        data: this.file.subarray(start, start + included),
        originalLength,
      };
      at = start + included;
    }
  }
}

/** Reads the 24-byte global header at the start of `file` (which may hold only that header). */
export function parseGlobalHeader(file: Uint8Array): PcapSummary {
  if (file.length < GLOBAL_HEADER_BYTES)
    throw new PcapFormatError(
      `file is ${file.length} bytes; a pcap global header needs ${GLOBAL_HEADER_BYTES}`,
    );
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const big = view.getUint32(0, false);
  const little = view.getUint32(0, true);
  const magic = [MAGIC_MICROS, MAGIC_NANOS].includes(big) ? big : little;
  if (magic !== MAGIC_MICROS && magic !== MAGIC_NANOS) {
    const hint = big === 0x0a0d0d0a ? ' (this is pcapng: read it with PcapngReader or openCapture)' : '';
    throw new PcapFormatError(`magic 0x${big.toString(16)} is not a classic pcap file${hint}`);
  }
  const littleEndian = magic === little && magic !== big;
  return {
    format: 'pcap',
    linkType: view.getUint32(20, littleEndian),
    littleEndian,
    nanosecond: magic === MAGIC_NANOS,
    truncated: false,
  };
}

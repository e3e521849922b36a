import { PcapReader, type PcapPacket, type PcapSummary } from './pcap-reader';
import { DEFAULT_MAX_PACKET_BYTES, PcapStreamReader, type ByteSource } from './pcap-stream-reader';
import {
  DEFAULT_MAX_BLOCK_BYTES,
  PCAPNG_SECTION_HEADER,
  PcapngReader,
  type PcapngSummary,
} from './pcapng-reader';

export type CaptureSummary = PcapSummary | PcapngSummary;

/** A capture read packet by packet, whatever its file format. */
export interface CaptureReader {
  readonly summary: CaptureSummary;
  packets(): Iterable<PcapPacket>;
}

export interface CaptureReadOptions {
  /** Largest packet read, in bytes. */
  readonly maxPacketBytes: number;
  /** Largest pcapng block, in bytes (unused for classic pcap, whose records are bounded by `maxPacketBytes`). */
  readonly maxBlockBytes: number;
}

export const DEFAULT_CAPTURE_READ_OPTIONS: CaptureReadOptions = {
  maxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
  maxBlockBytes: DEFAULT_MAX_BLOCK_BYTES,
};

const MAGIC_BYTES = 4;

/**
 * Opens a streamed capture as classic pcap or pcapng by its first four
 * bytes (pcapng begins with a section header block, type 0x0A0D0D0A, in
 * either byte order). Those bytes are handed back to the chosen reader, so a
 * pipe that cannot seek works the same as a file.
 */
export function openCapture(
  read: ByteSource,
  options: CaptureReadOptions = DEFAULT_CAPTURE_READ_OPTIONS,
): CaptureReader {
  const magic = new Uint8Array(MAGIC_BYTES);
  let got = 0;
  while (got < MAGIC_BYTES) {
    const n = read(magic, got, MAGIC_BYTES - got);
    if (n === 0) break;
    got += n;
  }
  const source = replaying(magic.subarray(0, got), read);
  const isPcapng = got === MAGIC_BYTES && new DataView(magic.buffer).getUint32(0) === PCAPNG_SECTION_HEADER;
  return isPcapng ? new PcapngReader(source, options) : new PcapStreamReader(source, options.maxPacketBytes);
}

/**
 * A capture held in memory. Classic pcap packets are views into `file`;
 * pcapng blocks are read as from a stream, one copy per block.
 */
export function readCapture(
  file: Uint8Array,
  options: CaptureReadOptions = DEFAULT_CAPTURE_READ_OPTIONS,
): CaptureReader {
  const isPcapng =
    file.length >= MAGIC_BYTES &&
    new DataView(file.buffer, file.byteOffset, MAGIC_BYTES).getUint32(0) === PCAPNG_SECTION_HEADER;
  return isPcapng ? new PcapngReader(bufferSource(file), options) : new PcapReader(file);
}

/** A ByteSource over bytes in memory. */
export function bufferSource(file: Uint8Array): ByteSource {
  let at = 0;
  return (into, offset, length) => {
    const n = Math.min(length, file.length - at);
    into.set(file.subarray(at, at + n), offset);
    at += n;
    return n;
  };
}

/** `read`, after first giving back `head` (bytes already taken from it). */
function replaying(head: Uint8Array, read: ByteSource): ByteSource {
  let given = 0;
  return (into, offset, length) => {
    if (given < head.length) {
      const n = Math.min(length, head.length - given);
      into.set(head.subarray(given, given + n), offset);
      given += n;
      return n;
    }
    return read(into, offset, length);
  };
}

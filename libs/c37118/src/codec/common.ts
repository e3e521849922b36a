import { FrameFormatError } from '../errors/frame-format-error';
import { ByteWriter, checkInt } from './byte-writer';
import { crcCcitt } from './crc';
import {
  CHK_BYTES,
  FRAME_TYPE_CODE,
  KIND_BY_CODE,
  SYNC_LEAD_BYTE,
  type FrameCommon,
  type FrameKind,
  type TimeQuality,
} from './frame-types';

export const LOCKED_TIME: TimeQuality = {
  reserved: false,
  leapSecondNegative: false,
  leapSecondOccurred: false,
  leapSecondPending: false,
  code: 0,
};

export function decodeTimeQuality(flags: number): TimeQuality {
  return {
    reserved: (flags & 0x80) !== 0,
    leapSecondNegative: (flags & 0x40) !== 0,
    leapSecondOccurred: (flags & 0x20) !== 0,
    leapSecondPending: (flags & 0x10) !== 0,
    code: flags & 0x0f,
  };
}

export function encodeTimeQuality(q: TimeQuality): number {
  checkInt(q.code, 0, 15, 'time quality code');
  return (
    (q.reserved ? 0x80 : 0) |
    (q.leapSecondNegative ? 0x40 : 0) |
    (q.leapSecondOccurred ? 0x20 : 0) |
    (q.leapSecondPending ? 0x10 : 0) |
    q.code
  );
}

/** Frame type from the second SYNC byte, or undefined when bit 7 is set or the type code is unassigned. */
export function kindOfSyncByte(second: number): FrameKind | undefined {
  if ((second & 0x80) !== 0 || (second & 0x0f) === 0) return undefined;
  return KIND_BY_CODE[(second >> 4) & 0x07];
}

export interface FrameHead extends FrameCommon {
  readonly kind: FrameKind;
  readonly frameSize: number;
}

/** Reads the 14-byte common header; the caller has checked that the bytes are there. */
export function readHead(bytes: Uint8Array, start: number): FrameHead {
  const kind = kindOfSyncByte(bytes[start + 1]);
  if (bytes[start] !== SYNC_LEAD_BYTE || kind === undefined) {
    throw new FrameFormatError(
      'bad-sync',
      `SYNC 0x${hex2(bytes[start])}${hex2(bytes[start + 1])} is not 0xAA followed by a frame type 0-5 and a version`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, 14);
  return {
    kind,
    version: bytes[start + 1] & 0x0f,
    frameSize: view.getUint16(2),
    idcode: view.getUint16(4),
    soc: view.getUint32(6),
    fracsec: view.getUint32(10) & 0xffffff,
    timeQuality: decodeTimeQuality(bytes[start + 10]),
  };
}

/** True when the CHK word at the end of the frame matches its bytes. */
export function crcMatches(bytes: Uint8Array, start: number, size: number): boolean {
  const end = start + size - CHK_BYTES;
  return crcCcitt(bytes, start, end) === ((bytes[end] << 8) | bytes[end + 1]);
}

/** Writes SYNC, a FRAMESIZE placeholder, IDCODE, SOC and FRACSEC. */
export function beginFrame(w: ByteWriter, kind: FrameKind, f: FrameCommon): void {
  checkInt(f.version, 1, 15, 'version');
  w.u8(SYNC_LEAD_BYTE, 'SYNC');
  w.u8((FRAME_TYPE_CODE[kind] << 4) | f.version, 'SYNC');
  w.u16(0, 'FRAMESIZE');
  w.u16(f.idcode, 'IDCODE');
  w.u32(f.soc, 'SOC');
  checkInt(f.fracsec, 0, 0xffffff, 'FRACSEC fraction');
  w.u32(((encodeTimeQuality(f.timeQuality) << 24) >>> 0) + f.fracsec, 'FRACSEC');
}

/** Patches FRAMESIZE and appends CHK. */
export function finishFrame(w: ByteWriter): Uint8Array {
  w.u16(0, 'CHK');
  const size = w.length;
  w.patchU16(2, size);
  const bytes = w.written();
  w.patchU16(size - 2, crcCcitt(bytes, 0, size - 2));
  return w.bytes();
}

/** Seconds since 1970 of a frame's timestamp. */
export function frameTimeSeconds(soc: number, fracsec: number, timeBase: number): number {
  return timeBase > 0 ? soc + fracsec / timeBase : soc;
}

export function hex2(n: number): string {
  return (n ?? 0).toString(16).padStart(2, '0').toUpperCase();
}

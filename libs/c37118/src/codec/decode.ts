import { FrameFormatError } from '../errors/frame-format-error';
import { ByteReader } from './byte-reader';
import { crcMatches, readHead, type FrameHead } from './common';
import { readConfigBody } from './config-codec';
import { readConfig3Body } from './config3-codec';
import { readPmuData } from './data-codec';
import {
  CHK_BYTES,
  COMMON_HEADER_BYTES,
  MIN_FRAME_BYTES,
  type AnyConfigFrame,
  type Frame,
} from './frame-types';
import type { FrameReject } from './reject';

export type DecodeResult =
  { readonly ok: true; readonly frame: Frame } | { readonly ok: false; readonly reject: FrameReject };

/** Finds the configuration for a data frame's IDCODE. */
export type ConfigLookup = (idcode: number) => AnyConfigFrame | undefined;

/**
 * Decodes exactly one frame occupying `bytes` into its object form. Never
 * throws on bad input: every failure comes back as a reject with a reason.
 */
export function decodeFrame(bytes: Uint8Array, configFor: ConfigLookup = () => undefined): DecodeResult {
  try {
    return { ok: true, frame: decodeFrameOrThrow(bytes, configFor) };
  } catch (error) {
    if (!(error instanceof FrameFormatError)) throw error;
    return {
      ok: false,
      reject: { reason: error.reason, message: error.message, bytes: bytes.length, ...headerFields(bytes) },
    };
  }
}

/** As `decodeFrame`, but throws FrameFormatError (with its reason) on bad input. */
export function decodeFrameOrThrow(bytes: Uint8Array, configFor: ConfigLookup = () => undefined): Frame {
  if (bytes.length < 4)
    throw new FrameFormatError('truncated', `${bytes.length} bytes cannot hold SYNC and FRAMESIZE`);
  const size = (bytes[2] << 8) | bytes[3];
  if (bytes[0] !== 0xaa)
    throw new FrameFormatError(
      'bad-sync',
      `first byte 0x${bytes[0].toString(16)} is not the SYNC lead byte 0xAA`,
    );
  if (size < MIN_FRAME_BYTES)
    throw new FrameFormatError(
      'size-mismatch',
      `FRAMESIZE ${size} is below the ${MIN_FRAME_BYTES}-byte minimum`,
    );
  if (bytes.length < size)
    throw new FrameFormatError('truncated', `FRAMESIZE says ${size} bytes but only ${bytes.length} arrived`);
  if (bytes.length > size)
    throw new FrameFormatError(
      'size-mismatch',
      `FRAMESIZE says ${size} bytes but ${bytes.length} were given`,
    );
  const head = readHead(bytes, 0);
  if (!crcMatches(bytes, 0, size))
    throw new FrameFormatError('crc', `CHK does not match the ${head.kind} frame from IDCODE ${head.idcode}`);
  return decodeBody(bytes, 0, head, configFor);
}

/** Decodes the body of a frame whose SYNC, FRAMESIZE and CRC were already checked. */
export function decodeBody(
  bytes: Uint8Array,
  start: number,
  head: FrameHead,
  configFor: ConfigLookup,
): Frame {
  const r = new ByteReader(bytes, start + COMMON_HEADER_BYTES, start + head.frameSize - CHK_BYTES);
  const common = {
    version: head.version,
    idcode: head.idcode,
    soc: head.soc,
    fracsec: head.fracsec,
    timeQuality: head.timeQuality,
  };
  const frame = decodeKind(r, head, common, configFor);
  if (r.remaining !== 0) {
    throw new FrameFormatError(
      'size-mismatch',
      `${head.kind} frame from IDCODE ${head.idcode} has ${r.remaining} bytes left over after its last field`,
    );
  }
  return frame;
}

function decodeKind(
  r: ByteReader,
  head: FrameHead,
  common: Omit<FrameHead, 'kind' | 'frameSize'>,
  configFor: ConfigLookup,
): Frame {
  switch (head.kind) {
    case 'data': {
      const config = configFor(head.idcode);
      if (config === undefined)
        throw new FrameFormatError(
          'no-config',
          `data frame from IDCODE ${head.idcode} arrived before any configuration for it`,
        );
      return { kind: 'data', ...common, pmus: config.pmus.map((p) => readPmuData(r, p)) };
    }
    case 'header':
      return { kind: 'header', ...common, text: r.text(r.remaining, 'header text') };
    case 'cfg1':
    case 'cfg2':
      return { kind: head.kind, ...common, ...readConfigBody(r) };
    case 'cfg3':
      return { kind: 'cfg3', ...common, ...readConfig3Body(r) };
    case 'cmd':
      return {
        kind: 'cmd',
        ...common,
        command: r.u16('CMD'),
        extended: r.bytesOf(r.remaining, 'extended frame'),
      };
  }
}

function headerFields(bytes: Uint8Array): Pick<FrameReject, 'kind' | 'idcode'> {
  if (bytes.length < COMMON_HEADER_BYTES) return {};
  try {
    const head = readHead(bytes, 0);
    return { kind: head.kind, idcode: head.idcode };
  } catch {
    return {};
  }
}

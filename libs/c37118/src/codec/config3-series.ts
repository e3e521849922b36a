import { FrameEncodeError } from '../errors/frame-encode-error';
import { FrameFormatError } from '../errors/frame-format-error';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { beginFrame, finishFrame } from './common';
import { CONT_IDX_FIRST, CONT_IDX_LAST, readConfig3Content, writeConfig3Content } from './config3-codec';
import { encodeFrame } from './encode';
import {
  CHK_BYTES,
  COMMON_HEADER_BYTES,
  MAX_FRAME_BYTES,
  MIN_FRAME_BYTES,
  type Config3Frame,
  type FrameCommon,
} from './frame-types';

const CONT_IDX_BYTES = 2;
/** Fragments of one series: 1, 2 .. 65534 and the last, 0xFFFF. */
export const MAX_CONFIG3_SERIES_FRAMES = 65_535;
/** Largest content a series can carry, in bytes (every fragment full). */
const SERIES_CONTENT_LIMIT_BYTES =
  MAX_CONFIG3_SERIES_FRAMES * (MAX_FRAME_BYTES - MIN_FRAME_BYTES - CONT_IDX_BYTES);

/**
 * Encodes a CFG-3 as the frames that carry it: one frame (CONT_IDX 0) when it
 * fits `maxFrameBytes`, otherwise a series whose CONT_IDX runs 1, 2, ... and
 * ends with 0xFFFF, each frame with the configuration's header fields and the
 * next piece of TIME_BASE .. DATA_RATE, none longer than `maxFrameBytes`.
 */
export function encodeConfig3Series(
  frame: Config3Frame,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): Uint8Array[] {
  const overhead = COMMON_HEADER_BYTES + CONT_IDX_BYTES + CHK_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes <= overhead || maxFrameBytes > MAX_FRAME_BYTES)
    throw new FrameEncodeError(
      `maxFrameBytes must be an integer in [${overhead + 1}, ${MAX_FRAME_BYTES}], got ${maxFrameBytes}`,
    );
  const w = new ByteWriter(SERIES_CONTENT_LIMIT_BYTES);
  writeConfig3Content(w, frame);
  const content = w.written();
  const room = maxFrameBytes - overhead;
  if (content.length <= room) return [encodeFrame({ ...frame, contIdx: 0 })];
  const pieces = Math.ceil(content.length / room);
  if (pieces > MAX_CONFIG3_SERIES_FRAMES)
    throw new FrameEncodeError(
      `a CFG-3 of ${content.length} bytes needs ${pieces} frames of ${maxFrameBytes}; a series holds ${MAX_CONFIG3_SERIES_FRAMES}`,
    );
  const out: Uint8Array[] = [];
  for (let i = 0; i < pieces; i += 1) {
    const contIdx = i === pieces - 1 ? CONT_IDX_LAST : CONT_IDX_FIRST + i;
    out.push(fragment(frame, contIdx, content.subarray(i * room, (i + 1) * room)));
  }
  return out;
}

function fragment(common: FrameCommon, contIdx: number, piece: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  beginFrame(w, 'cfg3', common);
  w.u16(contIdx, 'CONT_IDX');
  w.raw(piece);
  return finishFrame(w);
}

/**
 * The configuration carried by a reassembled series: `content` is every
 * fragment's bytes after CONT_IDX, in order; `head` holds the first
 * fragment's header fields. Throws FrameFormatError as a single CFG-3 would.
 */
export function decodeConfig3Series(head: FrameCommon, content: Uint8Array, fragments: number): Config3Frame {
  const r = new ByteReader(content, 0, content.length);
  const body = readConfig3Content(r);
  if (r.remaining !== 0)
    throw new FrameFormatError(
      'size-mismatch',
      `CFG-3 series from IDCODE ${head.idcode} has ${r.remaining} bytes left over after DATA_RATE`,
    );
  return {
    kind: 'cfg3',
    version: head.version,
    idcode: head.idcode,
    soc: head.soc,
    fracsec: head.fracsec,
    timeQuality: head.timeQuality,
    contIdx: 0,
    fragments,
    ...body,
  };
}

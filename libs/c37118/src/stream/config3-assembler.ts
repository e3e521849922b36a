import { CONT_IDX_FIRST, CONT_IDX_LAST } from '../codec/config3-codec';
import { decodeConfig3Series } from '../codec/config3-series';
import type { Config3Frame, FrameCommon } from '../codec/frame-types';
import type { RejectReason } from '../codec/reject';
import { C37ConfigError } from '../errors/config-error';
import { FrameFormatError } from '../errors/frame-format-error';

export interface Config3AssemblyOptions {
  /** Most CFG-3 content held for one series while it is incomplete, in bytes. */
  readonly maxConfig3Bytes: number;
  /** Most frames in one series. */
  readonly maxConfig3Fragments: number;
}

/** 64 full frames: a configuration of several thousand PMUs, far more than one stream carries. */
export const DEFAULT_CONFIG3_ASSEMBLY: Config3AssemblyOptions = {
  maxConfig3Bytes: 4 * 1024 * 1024,
  maxConfig3Fragments: 64,
};

/** One CFG-3 frame with CONT_IDX other than 0, its CRC already checked. */
export interface Config3Fragment {
  readonly head: FrameCommon;
  readonly contIdx: number;
  /** The frame's bytes after CONT_IDX, before CHK (a copy the assembler may keep). */
  readonly content: Uint8Array;
  /** The whole frame's length, for byte accounting. */
  readonly frameBytes: number;
}

export type AssemblyOutcome =
  | { readonly type: 'held' }
  | { readonly type: 'complete'; readonly config: Config3Frame; readonly frameBytes: number }
  | {
      readonly type: 'refused';
      readonly reason: RejectReason;
      readonly message: string;
      readonly idcode: number;
      /** Every frame given up with this refusal: the series so far, and the fragment that broke it. */
      readonly frameBytes: number;
    };

interface Series {
  readonly head: FrameCommon;
  readonly parts: Uint8Array[];
  lastContIdx: number;
  contentBytes: number;
  frameBytes: number;
}

/**
 * Reassembles a CFG-3 sent as a series of frames (CONT_IDX 1, 2, ...,
 * 0xFFFF), one series at a time per stream. Pure: no clock, no I/O. A
 * fragment that is missing, duplicated, out of order, from another IDCODE or
 * without a first fragment refuses the series with a message saying which;
 * a series past `maxConfig3Fragments` or `maxConfig3Bytes` is refused as
 * `config-limit`; nothing more than those bounds is ever held.
 */
export class Config3Assembler {
  private series: Series | undefined;

  constructor(readonly options: Config3AssemblyOptions = DEFAULT_CONFIG3_ASSEMBLY) {
    const { maxConfig3Bytes, maxConfig3Fragments } = options;
    if (!Number.isInteger(maxConfig3Bytes) || maxConfig3Bytes < 1)
      throw new C37ConfigError(`maxConfig3Bytes must be a positive integer, got ${String(maxConfig3Bytes)}`);
    if (!Number.isInteger(maxConfig3Fragments) || maxConfig3Fragments < 2 || maxConfig3Fragments > 0xffff)
      throw new C37ConfigError(
        `maxConfig3Fragments must be an integer in [2, 65535], got ${String(maxConfig3Fragments)}`,
      );
  }

  /** Bytes of content held by the series in progress. */
  get heldBytes(): number {
    return this.series?.contentBytes ?? 0;
  }

  offer(f: Config3Fragment): AssemblyOutcome[] {
    const out: AssemblyOutcome[] = [];
    const s = this.series;
    if (f.contIdx === CONT_IDX_FIRST) {
      if (s !== undefined) out.push(this.refuse(s, 'malformed', 'a new series began before it ended', 0));
      this.series = { head: f.head, parts: [], lastContIdx: 0, contentBytes: 0, frameBytes: 0 };
      out.push(this.append(this.series, f));
      return out;
    }
    if (s === undefined) {
      out.push(orphan(f));
      return out;
    }
    if (f.head.idcode !== s.head.idcode) {
      out.push(this.refuse(s, 'malformed', `a fragment from IDCODE ${f.head.idcode} came in the middle`, 0));
      out.push(orphan(f));
      return out;
    }
    const wrong = sequenceError(s.lastContIdx, f.contIdx);
    out.push(wrong === undefined ? this.append(s, f) : this.refuse(s, 'malformed', wrong, f.frameBytes));
    return out;
  }

  /** Gives up a series in progress: the stream ended or lost bytes (`truncated`), or its bytes no longer fit (`config-limit`). */
  abandon(why: string, reason: RejectReason = 'truncated'): AssemblyOutcome | undefined {
    const s = this.series;
    return s === undefined ? undefined : this.refuse(s, reason, why, 0);
  }

  private append(s: Series, f: Config3Fragment): AssemblyOutcome {
    s.parts.push(f.content);
    s.lastContIdx = f.contIdx;
    s.contentBytes += f.content.length;
    s.frameBytes += f.frameBytes;
    const { maxConfig3Bytes, maxConfig3Fragments } = this.options;
    // A full series whose last frame has not come yet would need one more.
    if (s.parts.length === maxConfig3Fragments && f.contIdx !== CONT_IDX_LAST)
      return this.refuse(
        s,
        'config-limit',
        `it needs more than maxConfig3Fragments ${maxConfig3Fragments} frames`,
        0,
      );
    if (s.contentBytes > maxConfig3Bytes)
      return this.refuse(s, 'config-limit', `it holds more than maxConfig3Bytes ${maxConfig3Bytes} bytes`, 0);
    return f.contIdx === CONT_IDX_LAST ? this.complete(s) : { type: 'held' };
  }

  private complete(s: Series): AssemblyOutcome {
    this.series = undefined;
    const content = new Uint8Array(s.contentBytes);
    let at = 0;
    for (const part of s.parts) {
      content.set(part, at);
      at += part.length;
    }
    try {
      return {
        type: 'complete',
        config: decodeConfig3Series(s.head, content, s.parts.length),
        frameBytes: s.frameBytes,
      };
    } catch (error) {
      if (!(error instanceof FrameFormatError)) throw error;
      return {
        type: 'refused',
        reason: error.reason,
        message: error.message,
        idcode: s.head.idcode,
        frameBytes: s.frameBytes,
      };
    }
  }

  /** Gives up the series; `extraBytes` are those of a breaking fragment that was not appended. */
  private refuse(s: Series, reason: RejectReason, why: string, extraBytes: number): AssemblyOutcome {
    this.series = undefined;
    const n = s.parts.length;
    return {
      type: 'refused',
      reason,
      message: `CFG-3 series from IDCODE ${s.head.idcode} refused after ${n} fragment${n === 1 ? '' : 's'}: ${why}`,
      idcode: s.head.idcode,
      frameBytes: s.frameBytes + extraBytes,
    };
  }
}

/** Why `next` cannot follow `last` in a series, or undefined when it can. */
function sequenceError(last: number, next: number): string | undefined {
  if (next === CONT_IDX_LAST || next === last + 1) return undefined;
  if (next === last) return `fragment CONT_IDX ${next} is duplicated`;
  if (next < last) return `fragment CONT_IDX ${next} is out of order (after ${last})`;
  const missing = next === last + 2 ? `${last + 1} is` : `${last + 1} to ${next - 1} are`;
  return `fragment CONT_IDX ${next} follows ${last}: ${missing} missing`;
}

function orphan(f: Config3Fragment): AssemblyOutcome {
  return {
    type: 'refused',
    reason: 'malformed',
    message: `CFG-3 fragment CONT_IDX ${f.contIdx} from IDCODE ${f.head.idcode} belongs to no series: its first fragment (CONT_IDX 1) is missing`,
    idcode: f.head.idcode,
    frameBytes: f.frameBytes,
  };
}

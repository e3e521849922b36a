/** How a stream's reporting rate fits the alignment rate. */
export type RateVerdict =
  | { readonly ok: true; readonly framesPerSecond: number; readonly decimation: number }
  | { readonly ok: false; readonly message: string };

/** Frames per second of a DATA_RATE: positive is frames per second, negative is seconds per frame, 0 is no rate. */
export function framesPerSecondOf(dataRate: number): number {
  if (dataRate > 0) return dataRate;
  return dataRate < 0 ? 1 / -dataRate : Number.NaN;
}

/**
 * The rate snapshots are aligned to: pinned by `--fps`, or taken from the
 * DATA_RATE of the first configuration allowed to set it. A stream reporting
 * at a whole multiple of it is decimated (only frames on alignment instants
 * are used); any other rate is refused, since its frames would fall between
 * instants or leave most snapshots without it.
 */
export class AlignmentRate {
  private fps: number | undefined;

  constructor(pinnedFps: number | undefined) {
    this.fps = pinnedFps;
  }

  get framesPerSecond(): number | undefined {
    return this.fps;
  }

  /** Judges a stream's DATA_RATE; `mayFix` lets it fix the alignment rate when none is set yet. */
  judge(dataRate: number, mayFix: boolean): RateVerdict {
    const stream = framesPerSecondOf(dataRate);
    if (!Number.isFinite(stream) || stream > 1000)
      return { ok: false, message: `DATA_RATE ${dataRate} is not a reporting rate` };
    if (this.fps === undefined) {
      if (!mayFix)
        return {
          ok: false,
          message:
            'the alignment rate is not known yet: it comes from the first configuration of a --tcp target (or give --fps)',
        };
      this.fps = stream;
    }
    const ratio = stream / this.fps;
    const whole = Math.round(ratio);
    if (whole < 1 || Math.abs(ratio - whole) > 1e-9) {
      return {
        ok: false,
        message: `DATA_RATE ${dataRate} (${round(stream)} frames/s) is not a whole multiple of the alignment rate ${round(this.fps)} frames/s`,
      };
    }
    return { ok: true, framesPerSecond: stream, decimation: whole };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

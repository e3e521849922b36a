import type { GridFrame } from './grid-frame';

/** The plots' data for some buses: one point per frame, oldest first. */
export interface BusSeries {
  readonly slots: number[];
  readonly timeSec: number[];
  /** Per bus asked for (by dense index): magnitude and angle of the estimate and, where known, of the truth. */
  readonly buses: {
    readonly bus: number;
    readonly vm: number[];
    readonly va: number[];
    readonly truthVm: (number | null)[];
    readonly truthVa: (number | null)[];
  }[];
}

/**
 * The latest maxFrames frames pushed to browsers, so a page that opens or reconnects draws its plots from where
 * they were (up to that depth) instead of from empty.
 */
export class FrameHistory {
  private readonly frames: GridFrame[] = [];

  constructor(readonly maxFrames: number) {
    if (!Number.isInteger(maxFrames) || maxFrames < 1)
      throw new RangeError(`maxFrames must be a positive integer, got ${maxFrames}`);
  }

  get size(): number {
    return this.frames.length;
  }

  push(frame: GridFrame): void {
    this.frames.push(frame);
    if (this.frames.length > this.maxFrames) this.frames.shift();
  }

  /** The series of these buses over the kept frames after sinceSlot (all kept frames when it is null). */
  series(buses: readonly number[], sinceSlot: number | null): BusSeries {
    const frames = this.frames.filter((f) => sinceSlot === null || f.slot > sinceSlot);
    return {
      slots: frames.map((f) => f.slot),
      timeSec: frames.map((f) => f.timeSec),
      buses: buses.map((bus) => ({
        bus,
        vm: frames.map((f) => f.vm[bus]),
        va: frames.map((f) => f.va[bus]),
        truthVm: frames.map((f) => f.truth?.vm[bus] ?? null),
        truthVa: frames.map((f) => f.truth?.va[bus] ?? null),
      })),
    };
  }
}

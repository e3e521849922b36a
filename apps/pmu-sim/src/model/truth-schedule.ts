import type { Motion } from './motion';
import type { ScenarioEvent } from './scenario-event';

/**
 * Which operating point is in force: the drift epoch (the power flow is solved again at every whole multiple of
 * the re-solve interval, at that instant's load) and how many scheduled line trips have happened.
 */
export interface TruthKey {
  readonly drift: number;
  readonly trips: number;
}

/** What the power flow is solved for at one key. */
export interface TruthRequest {
  readonly loadScale: number;
  readonly tripped: readonly number[];
}

/** Guards floor(t / interval) against t = k * interval landing a hair below k. */
const EPOCH_EPSILON = 1e-9;

/**
 * When the truth changes, known in advance: the load drift and the trips are both scheduled, so the operating
 * point of any instant, and of every change to come, follows from the elapsed time alone. This is what lets the
 * power flow run ahead of the frames, off the emitting thread, and still give the same truth frame by frame.
 */
export class TruthSchedule {
  /** Trips in time order. */
  private readonly trips: readonly { readonly branch: number; readonly atS: number }[];

  constructor(
    readonly resolveIntervalS: number,
    events: readonly ScenarioEvent[],
    private readonly motion: Motion,
  ) {
    if (!(resolveIntervalS > 0))
      throw new RangeError(`resolveIntervalS must be > 0, got ${resolveIntervalS}`);
    this.trips = events
      .flatMap((e) => (e.kind === 'trip-line' ? [{ branch: e.branch, atS: e.atS }] : []))
      .sort((a, b) => a.atS - b.atS);
  }

  keyAt(tS: number): TruthKey {
    const drift = Math.max(0, Math.floor(tS / this.resolveIntervalS + EPOCH_EPSILON));
    let trips = 0;
    while (trips < this.trips.length && this.trips[trips].atS <= tS) trips += 1;
    return { drift, trips };
  }

  /** The key that follows `key` in time: the next drift epoch or the next trip, whichever comes first. */
  next(key: TruthKey): TruthKey {
    const driftAtS = (key.drift + 1) * this.resolveIntervalS;
    const tripAtS = this.trips[key.trips]?.atS ?? Number.POSITIVE_INFINITY;
    return this.keyAt(Math.min(driftAtS, tripAtS));
  }

  requestOf(key: TruthKey): TruthRequest {
    if (key.trips > this.trips.length)
      throw new RangeError(`key has ${key.trips} trips of ${this.trips.length}`);
    return {
      loadScale: this.motion.loadScale(key.drift * this.resolveIntervalS),
      tripped: this.trips.slice(0, key.trips).map((t) => t.branch),
    };
  }
}

export function sameKey(a: TruthKey, b: TruthKey): boolean {
  return a.drift === b.drift && a.trips === b.trips;
}

/** True when `a` comes before `b` in time (both coordinates only grow). */
export function keyBefore(a: TruthKey, b: TruthKey): boolean {
  return a.drift < b.drift || (a.drift === b.drift && a.trips < b.trips);
}

export function keyText(key: TruthKey): string {
  return `${key.drift}/${key.trips}`;
}

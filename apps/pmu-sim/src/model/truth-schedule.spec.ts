import { describe, expect, it } from 'vitest';
import { DEFAULT_MOTION, Motion } from './motion';
import { TruthSchedule } from './truth-schedule';

const schedule = new TruthSchedule(
  1,
  [
    { kind: 'trip-line', branch: 4, atS: 2.5 },
    { kind: 'dropout', idcode: 1, fromS: 0, toS: 1 },
    { kind: 'trip-line', branch: 9, atS: 1.25 },
  ],
  new Motion(DEFAULT_MOTION),
);

describe('TruthSchedule', () => {
  it('keys an instant by its drift epoch and the trips before it', () => {
    expect(schedule.keyAt(0)).toEqual({ drift: 0, trips: 0 });
    expect(schedule.keyAt(1.2499)).toEqual({ drift: 1, trips: 0 });
    expect(schedule.keyAt(1.25)).toEqual({ drift: 1, trips: 1 });
    expect(schedule.keyAt(3)).toEqual({ drift: 3, trips: 2 });
  });

  it('walks the changes in time order, trips between drift steps, trips sorted by time', () => {
    const keys = [schedule.keyAt(0)];
    for (let i = 0; i < 5; i += 1) keys.push(schedule.next(keys.at(-1)!));
    expect(keys).toEqual([
      { drift: 0, trips: 0 },
      { drift: 1, trips: 0 },
      { drift: 1, trips: 1 },
      { drift: 2, trips: 1 },
      { drift: 2, trips: 2 },
      { drift: 3, trips: 2 },
    ]);
    expect(schedule.requestOf({ drift: 2, trips: 2 }).tripped).toEqual([9, 4]);
    expect(schedule.requestOf({ drift: 2, trips: 0 }).loadScale).toBe(
      new Motion(DEFAULT_MOTION).loadScale(2),
    );
  });
});

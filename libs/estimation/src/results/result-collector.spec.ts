import { describe, expect, it } from 'vitest';
import type { AreaResult } from '../engine/area-result';
import { EstimationConfigError } from '../errors/estimation-config-error';
import { ResultCollector } from './result-collector';
import { maxVoltageError, TruthTimeline } from './truth';

/** Area a of 2 on a 4-bus network owns buses 2a and 2a + 1, and sees bus 2 from area 0 as a far end. */
function areaResult(slot: number, area: number, value = 1): AreaResult {
  const buses = area === 0 ? Int32Array.of(0, 1, 2) : Int32Array.of(2, 3);
  return {
    slot,
    timeSec: slot / 30,
    area,
    areaCount: 2,
    busCount: 4,
    catalogVersion: 1,
    buses,
    own: area === 0 ? Uint8Array.of(1, 1, 0) : Uint8Array.of(1, 1),
    vRe: Float64Array.from(buses, (b) => value + b / 100 + (area === 0 && b === 2 ? 1 : 0)),
    vIm: new Float64Array(buses.length),
    unobservable: new Int32Array(0),
    removedIdcode: new Uint16Array(area),
    removedChannel: new Uint16Array(area),
    openBranches: Int32Array.of(3),
    cost: 1,
    degreesOfFreedom: 2,
    badDataRemains: false,
    measurementsUsed: 4,
    computeMs: area + 1,
  };
}

describe('ResultCollector', () => {
  it('assembles a snapshot once every area arrived, each bus from its owning area, and counts duplicates', () => {
    const c = new ResultCollector();
    expect(c.offer(areaResult(10, 1))).toEqual([]);
    expect(c.offer(areaResult(10, 1))).toEqual([]);
    const [event] = c.offer(areaResult(10, 0));
    expect(event.type).toBe('assembled');
    if (event.type !== 'assembled') return;
    expect([...event.estimate.vRe]).toEqual([1, 1.01, 1.02, 1.03]);
    expect(event.estimate.badDataRemoved).toBe(1);
    expect(event.estimate.computeMsMax).toBe(2);
    expect([...event.estimate.openBranches]).toEqual([3]);
    expect(c.offer(areaResult(10, 0))).toEqual([]);
    expect(c.counters).toMatchObject({ results: 4, duplicates: 2, assembled: 1, incomplete: 0 });
  });

  it('takes a bus its owner could not determine from an area that saw it across a tie-line', () => {
    const c = new ResultCollector();
    const blind = {
      ...areaResult(1, 1),
      buses: Int32Array.of(3),
      own: Uint8Array.of(1),
      vRe: Float64Array.of(5),
      vIm: Float64Array.of(0),
      unobservable: Int32Array.of(2),
    };
    c.offer(blind);
    const [event] = c.offer(areaResult(1, 0));
    expect(event.type === 'assembled' && [...event.estimate.vRe]).toEqual([1, 1.01, 2.02, 5]);
  });

  it('closes the oldest snapshot incomplete past maxOpenSnapshots, naming its missing areas; its late areas are counted late', () => {
    const c = new ResultCollector({ maxOpenSnapshots: 2, maxClosedSnapshots: 2 });
    c.offer(areaResult(1, 0));
    c.offer(areaResult(2, 1));
    expect(c.offer(areaResult(3, 0))).toEqual([
      { type: 'incomplete', slot: 1, timeSec: 1 / 30, missingAreas: [1] },
    ]);
    expect(c.openSnapshots).toBe(2);
    expect(c.offer(areaResult(1, 1))).toEqual([]);
    expect(c.counters).toMatchObject({ incomplete: 1, missingAreas: 1, late: 1 });
    // Memory of closed snapshots is bounded too: forgotten ones still count as late, never reopen.
    c.flush();
    c.offer(areaResult(0, 0));
    expect(c.openSnapshots).toBe(0);
    expect(() => new ResultCollector({ maxOpenSnapshots: 0, maxClosedSnapshots: 1 })).toThrow(
      EstimationConfigError,
    );
  });
});

describe('maxVoltageError', () => {
  it('removes the common rotation and reports the worst bus', () => {
    const truth = { timeSec: 0, busIds: [1, 2], vm: [1, 0.9], va: [0, -0.1], tripped: [] };
    const turn = 0.3;
    const est = {
      vRe: Float64Array.of(Math.cos(turn), 0.9 * Math.cos(turn - 0.1) + 0.001),
      vIm: Float64Array.of(Math.sin(turn), 0.9 * Math.sin(turn - 0.1)),
      observable: Uint8Array.of(1, 1),
    };
    const e = maxVoltageError(est, truth);
    expect(e.rotationRad).toBeCloseTo(turn, 3);
    expect(e.bus).toBe(1);
    expect(e.maxErrorPu).toBeGreaterThan(0.0004);
    expect(e.maxErrorPu).toBeLessThan(0.001);
  });

  it('a truth timeline returns the point in force at a time', () => {
    const t = new TruthTimeline(2);
    for (const timeSec of [1, 3, 2]) t.add({ timeSec, busIds: [], vm: [], va: [], tripped: [] });
    expect(t.at(2.5)?.timeSec).toBe(2);
    expect(t.at(1.5)).toBeUndefined();
  });
});

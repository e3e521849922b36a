import { describe, expect, it } from 'vitest';
import { testConfig } from '../testing/frames';
import { PmuRegistry } from './pmu-registry';

const ANY = { configured: false, decimation: 1 };
const CONFIGURED = { configured: true, decimation: 1 };

describe('PmuRegistry', () => {
  it("adds a stream's PMUs, reports a CFGCNT change, and drops PMUs a new configuration no longer carries", () => {
    const r = new PmuRegistry({ maxPmus: 100, maxPmusPerSource: 100 });
    expect(r.apply(testConfig(500, [1, 2]), 'a', ANY)).toEqual({
      added: [1, 2],
      removed: [],
      refused: [],
      changed: false,
    });
    expect(r.get(2)).toMatchObject({
      stationName: 'PMU2',
      streamIdcode: 500,
      phasorNames: ['V1', 'I1'],
      source: 'a',
    });
    const next = testConfig(500, [1]);
    expect(r.apply({ ...next, pmus: next.pmus.map((p) => ({ ...p, cfgcnt: 2 })) }, 'a', ANY)).toEqual({
      added: [],
      removed: [2],
      refused: [],
      changed: true,
    });
    expect(r.all().map((p) => p.idcode)).toEqual([1]);
  });

  it('binds a PMU to the source that configured it: another source can neither claim it nor withdraw it', () => {
    const r = new PmuRegistry({ maxPmus: 100, maxPmusPerSource: 100 });
    r.apply(testConfig(7, [7]), 'real', ANY);
    const claim = r.apply(testConfig(900, [7, 8]), 'intruder', ANY);
    expect(claim.added).toEqual([8]);
    expect(claim.refused).toEqual([{ idcode: 7, message: 'PMU 7 is bound to real; refused from intruder' }]);
    // The intruder's next configuration drops PMU 7: it never had it, so the real PMU stays bound.
    expect(r.apply(testConfig(900, [8]), 'intruder', ANY).removed).toEqual([]);
    expect(r.get(7)?.source).toBe('real');
  });

  it('lets a configured source take its PMU back from an unconfigured one, but not from another configured one', () => {
    const r = new PmuRegistry({ maxPmus: 100, maxPmusPerSource: 100 });
    r.apply(testConfig(7, [7]), 'squatter', ANY);
    expect(r.apply(testConfig(7, [7]), 'tcp-target', CONFIGURED)).toEqual({
      added: [],
      removed: [],
      refused: [],
      changed: false,
    });
    expect(r.get(7)?.source).toBe('tcp-target');
    expect(r.countOf('squatter')).toBe(0);
    expect(r.apply(testConfig(7, [7]), 'other-target', CONFIGURED).refused).toHaveLength(1);
    expect(r.dropSource('squatter')).toEqual([]);
    expect(r.get(7)?.source).toBe('tcp-target');
  });

  it('bounds PMUs per source and overall, and frees them when the source goes away', () => {
    const r = new PmuRegistry({ maxPmus: 5, maxPmusPerSource: 3 });
    const a = r.apply(testConfig(100, [1, 2, 3, 4]), 'a', ANY);
    expect(a.added).toEqual([1, 2, 3]);
    expect(a.refused.map((p) => p.message)).toEqual(['PMU 4 refused: a already has maxPmusPerSource 3 PMUs']);
    // Many streams from one source share its bound: new stream IDCODEs cannot grow it.
    for (let stream = 200; stream < 300; stream += 1) r.apply(testConfig(stream, [stream]), 'a', ANY);
    expect(r.countOf('a')).toBe(3);
    expect(r.apply(testConfig(101, [11, 12, 13]), 'b', ANY).refused.map((p) => p.idcode)).toEqual([13]);
    expect(r.size).toBe(5);
    expect(r.dropSource('a').sort()).toEqual([1, 2, 3]);
    expect(r.apply(testConfig(101, [11, 12, 13]), 'b', ANY).added).toEqual([13]);
  });

  it('releases the PMUs of a stream whose configuration is withdrawn', () => {
    const r = new PmuRegistry({ maxPmus: 10, maxPmusPerSource: 10 });
    r.apply(testConfig(500, [1, 2]), 'a', ANY);
    r.apply(testConfig(501, [3]), 'a', ANY);
    expect(r.withdrawStream('a', 500)).toEqual([1, 2]);
    expect(r.all().map((p) => p.idcode)).toEqual([3]);
    expect(r.countOf('a')).toBe(1);
  });
});

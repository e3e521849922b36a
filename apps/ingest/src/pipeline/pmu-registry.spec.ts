import { describe, expect, it } from 'vitest';
import { testConfig } from '../testing/frames';
import { PmuRegistry } from './pmu-registry';

describe('PmuRegistry', () => {
  it('adds a stream\'s PMUs, reports a CFGCNT change, and drops PMUs a new configuration no longer carries', () => {
    const r = new PmuRegistry();
    expect(r.apply(testConfig(500, [1, 2]), 'a')).toEqual({ added: [1, 2], removed: [], changed: false });
    expect(r.get(2)).toMatchObject({ stationName: 'PMU2', streamIdcode: 500, phasorNames: ['V1', 'I1'], source: 'a' });
    const next = testConfig(500, [1]);
    expect(r.apply({ ...next, pmus: next.pmus.map((p) => ({ ...p, cfgcnt: 2 })) }, 'a')).toEqual({ added: [], removed: [2], changed: true });
    expect(r.all().map((p) => p.idcode)).toEqual([1]);
  });
});

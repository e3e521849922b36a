import { describe, expect, it } from 'vitest';
import { PmuCatalogTracker, type PmuDescription } from './pmu-catalog-tracker';

/** A registry as ingest's: an entry is replaced by a new object whenever a configuration arrives. */
class Registry {
  readonly map = new Map<number, PmuDescription>();
  get size(): number {
    return this.map.size;
  }
  get(id: number): PmuDescription | undefined {
    return this.map.get(id);
  }
  all(): PmuDescription[] {
    return [...this.map.values()].sort((a, b) => a.idcode - b.idcode);
  }
  configure(idcode: number, cfgcnt: number, phasorNames: string[]): void {
    this.map.set(idcode, { idcode, stationName: `S${idcode}`, cfgcnt, phasorNames });
  }
}

describe('PmuCatalogTracker', () => {
  it('issues a new catalog version only when a PMU or its channels change, not for a re-sent configuration', () => {
    const registry = new Registry();
    const tracker = new PmuCatalogTracker(registry);
    expect(tracker.catalog.version).toBe(0);
    registry.configure(7, 1, ['V1', 'I1-2#0']);
    const first = tracker.refresh([7]);
    expect(first?.version).toBe(1);
    expect(first?.pmus[0].channels).toEqual([
      { name: 'V1', isCurrent: null, phunitScale: null },
      { name: 'I1-2#0', isCurrent: null, phunitScale: null },
    ]);
    expect(tracker.refresh([7])).toBeUndefined();
    registry.configure(7, 1, ['V1', 'I1-2#0']);
    expect(tracker.refresh([7])).toBeUndefined();
    registry.configure(7, 2, ['V1']);
    expect(tracker.refresh([7])?.version).toBe(2);
    registry.configure(8, 1, ['V2']);
    // A new PMU shows in the registry's size even before it is in a snapshot.
    expect(tracker.refresh([7])?.pmus.map((p) => p.idcode)).toEqual([7, 8]);
    expect(tracker.catalog.version).toBe(3);
  });
});

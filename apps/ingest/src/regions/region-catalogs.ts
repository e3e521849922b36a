import type { CatalogPmu, PmuCatalog } from '@gridcloud/estimation';
import type { PmuDescription, PmuDescriptions } from '../sinks/pmu-catalog-tracker';

/**
 * The PMU configurations the merger knows, as the union of the regions' latest catalogs: what the merged
 * snapshots' sinks describe to the estimators (the same `PmuDescriptions` a single ingest's registry gives).
 * A region's newer catalog replaces its older one; at most `maxPmus` PMUs over all regions.
 */
export class RegionCatalogs implements PmuDescriptions {
  private readonly byRegion = new Map<string, readonly PmuDescription[]>();
  private byId = new Map<number, PmuDescription>();

  constructor(private readonly maxPmus: number) {}

  /** Takes a region's catalog; an error message when it would take the union past `maxPmus` (then it is not taken). */
  accept(region: string, catalog: PmuCatalog): string | undefined {
    const others = this.size - (this.byRegion.get(region)?.length ?? 0);
    if (others + catalog.pmus.length > this.maxPmus)
      return `region ${region}: catalog of ${catalog.pmus.length} PMUs would pass --max-pmus ${this.maxPmus}`;
    this.byRegion.set(region, catalog.pmus.map(descriptionOf));
    // Replaced wholesale, so a PMU a region stopped carrying is forgotten; a later region's entry wins a shared IDCODE.
    const next = new Map<number, PmuDescription>();
    for (const pmus of this.byRegion.values()) for (const p of pmus) next.set(p.idcode, p);
    this.byId = next;
    return undefined;
  }

  get size(): number {
    return this.byId.size;
  }

  get(idcode: number): PmuDescription | undefined {
    return this.byId.get(idcode);
  }

  all(): PmuDescription[] {
    return [...this.byId.values()].sort((a, b) => a.idcode - b.idcode);
  }
}

/** A catalog entry back in the registry's shape; a channel property unknown for any channel is left out for all. */
function descriptionOf(p: CatalogPmu): PmuDescription {
  const isCurrent = p.channels.map((c) => c.isCurrent);
  const scales = p.channels.map((c) => c.phunitScale);
  return {
    idcode: p.idcode,
    stationName: p.station,
    cfgcnt: p.cfgcnt,
    phasorNames: p.channels.map((c) => c.name),
    ...(isCurrent.every((v) => v !== null) ? { phasorIsCurrent: isCurrent as boolean[] } : {}),
    ...(scales.every((v) => v !== null) ? { phasorScales: scales as number[] } : {}),
    ...(p.analogs !== undefined ? { analogNames: p.analogs } : {}),
    ...(p.digitals !== undefined ? { digitalNames: p.digitals } : {}),
  };
}

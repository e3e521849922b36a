import { catalogFingerprint, type PmuCatalog } from '@gridcloud/estimation';

/** What ingest knows of a PMU's configuration (its registry's PmuInfo has this shape). */
export interface PmuDescription {
  readonly idcode: number;
  readonly stationName: string;
  readonly cfgcnt: number;
  readonly phasorNames: readonly string[];
  /** Per channel, when the registry keeps them: voltage or current, and volts or amperes per count. */
  readonly phasorIsCurrent?: readonly boolean[];
  readonly phasorScales?: readonly number[];
  readonly analogNames?: readonly string[];
  readonly digitalNames?: readonly (readonly string[])[];
}

/** The configurations in force by IDCODE: ingest's PMU registry. */
export interface PmuDescriptions {
  readonly size: number;
  get(idcode: number): PmuDescription | undefined;
  all(): readonly PmuDescription[];
}

/**
 * Follows ingest's PMU registry and says when the catalog the estimators need
 * changed. Per snapshot it only compares the registry's entries for the PMUs
 * in it (the registry replaces an entry whenever a configuration arrives), so
 * the common case costs one map lookup per PMU; the catalog is rebuilt and
 * compared by content only when an entry was replaced.
 */
export class PmuCatalogTracker {
  private readonly seen = new Map<number, PmuDescription>();
  private seenSize = -1;
  private fingerprint = '';
  private current: PmuCatalog = { version: 0, pmus: [] };

  constructor(private readonly registry: PmuDescriptions) {}

  /** The catalog in force (version 0 until a PMU is known). */
  get catalog(): PmuCatalog {
    return this.current;
  }

  /** The new catalog when the registry changed for the given PMUs (or in size), else undefined. */
  refresh(idcodes: Iterable<number>): PmuCatalog | undefined {
    if (!this.replaced(idcodes)) return undefined;
    const all = this.registry.all();
    this.seen.clear();
    for (const p of all) this.seen.set(p.idcode, p);
    this.seenSize = this.registry.size;
    const pmus = all.map((p) => ({
      idcode: p.idcode,
      station: p.stationName,
      cfgcnt: p.cfgcnt,
      channels: p.phasorNames.map((name, k) => ({
        name,
        isCurrent: p.phasorIsCurrent?.[k] ?? null,
        phunitScale: p.phasorScales?.[k] ?? null,
      })),
      ...(p.analogNames?.length ? { analogs: p.analogNames } : {}),
      ...(p.digitalNames?.length ? { digitals: p.digitalNames } : {}),
    }));
    const next = { version: this.current.version, pmus };
    const fingerprint = catalogFingerprint(next);
    if (fingerprint === this.fingerprint) return undefined;
    this.fingerprint = fingerprint;
    this.current = { version: this.current.version + 1, pmus };
    return this.current;
  }

  private replaced(idcodes: Iterable<number>): boolean {
    if (this.registry.size !== this.seenSize) return true;
    for (const id of idcodes) if (this.registry.get(id) !== this.seen.get(id)) return true;
    return false;
  }
}

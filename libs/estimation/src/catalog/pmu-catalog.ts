/** One phasor channel of a PMU as its configuration (CFG-2) describes it. */
export interface CatalogChannel {
  readonly name: string;
  /** Voltage or current as the configuration declares it; null when the source did not pass it on. */
  readonly isCurrent: boolean | null;
  /**
   * Volts or amperes per count of the raw value (1e-5 * PHUNIT for int16, 1 for
   * float); null when unknown. Informational: ingest already scales int16
   * phasors, and the per-unit conversion comes from the channel map.
   */
  readonly phunitScale: number | null;
}

/** What the estimators know of one PMU: IDCODE, station, configuration count and channels. */
export interface CatalogPmu {
  readonly idcode: number;
  readonly station: string;
  readonly cfgcnt: number;
  readonly channels: readonly CatalogChannel[];
  /** Analog channel names, in the order of a snapshot's analogs for this PMU; absent: none. */
  readonly analogs?: readonly string[];
  /**
   * Per digital word of a snapshot, its 16 bit names (bit 0 first; '' for a spare bit); absent: none.
   * pmu-sim names a breaker bit `BRK#<0-based branch row>`, 1 while the breaker is closed.
   */
  readonly digitals?: readonly (readonly string[])[];
}

/**
 * The PMU configuration catalog ingest publishes to the estimator group when a
 * configuration changes and after every view change. `version` grows with each
 * change; every snapshot names the version it was aligned under.
 */
export interface PmuCatalog {
  readonly version: number;
  readonly pmus: readonly CatalogPmu[];
}

/** A key that is equal for two catalogs exactly when their PMUs and channels are (the version aside). */
export function catalogFingerprint(c: PmuCatalog): string {
  return JSON.stringify(
    c.pmus.map((p) => [
      p.idcode,
      p.cfgcnt,
      p.channels.map((ch) => [ch.name, ch.isCurrent]),
      p.analogs ?? [],
      p.digitals ?? [],
    ]),
  );
}

/** Scheduled disturbances of a simulation; times in seconds after the simulation starts. */
export type ScenarioEvent =
  /** Branch row `branch` (0-based, as in the case file) opens: topology and flows change. */
  | { readonly kind: 'trip-line'; readonly branch: number; readonly atS: number }
  /** PMU `idcode` stops reporting during [fromS, toS). */
  | { readonly kind: 'dropout'; readonly idcode: number; readonly fromS: number; readonly toS: number }
  /** PMU `idcode` loses GPS during [fromS, toS): STAT sync-lost and a degraded time quality code. */
  | { readonly kind: 'gps-unlock'; readonly idcode: number; readonly fromS: number; readonly toS: number }
  /**
   * Stream `idcode` changes its configuration at `atS`: CFGCNT goes up and each
   * of its PMUs drops its last current channel. For the second before, its
   * frames carry STAT "configuration change pending".
   */
  | { readonly kind: 'config-change'; readonly idcode: number; readonly atS: number };

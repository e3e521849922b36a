/** Scheduled disturbances of a simulation; times in seconds after the simulation starts. */
export type ScenarioEvent =
  /** Branch row `branch` (0-based, as in the case file) opens: topology and flows change. */
  | { readonly kind: 'trip-line'; readonly branch: number; readonly atS: number }
  /** PMU `idcode` stops reporting during [fromS, toS). */
  | { readonly kind: 'dropout'; readonly idcode: number; readonly fromS: number; readonly toS: number }
  /** PMU `idcode` loses GPS during [fromS, toS): STAT sync-lost and a degraded time quality code. */
  | { readonly kind: 'gps-unlock'; readonly idcode: number; readonly fromS: number; readonly toS: number };

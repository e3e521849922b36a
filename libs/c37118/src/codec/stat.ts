/**
 * STAT word of one PMU block. Bit layout is shared by 2005 and 2011 except
 * that 2011 gives meaning to bits 9-6 (data modified, PMU time quality),
 * which are reserved (zero) in 2005.
 */
export interface StatFlags {
  /** Bits 15-14: 0 good, 1 PMU error, 2 PMU in test mode, 3 PMU error (do not use). 2005: bit 15 data invalid, bit 14 PMU error. */
  readonly dataError: number;
  /** Bit 13 set: PMU not in sync with a UTC source. */
  readonly syncLost: boolean;
  /** Bit 12 set: data sorted by arrival rather than by timestamp. */
  readonly sortByArrival: boolean;
  /** Bit 11: PMU trigger detected. */
  readonly trigger: boolean;
  /** Bit 10: configuration change pending within a minute. */
  readonly configChangePending: boolean;
  /** Bit 9 (2011): data modified by a post-processing step. */
  readonly dataModified: boolean;
  /** Bits 8-6 (2011): PMU time quality (0 not used, 1 < 100 ns ... 7 > 10 ms). */
  readonly pmuTimeQuality: number;
  /** Bits 5-4: time since sync was lost (0 < 10 s, 1 < 100 s, 2 < 1000 s, 3 > 1000 s). */
  readonly unlockedTime: number;
  /** Bits 3-0: trigger reason. */
  readonly triggerReason: number;
}

export const STAT_SYNC_LOST = 1 << 13;
export const STAT_CONFIG_CHANGE = 1 << 10;
export const STAT_DATA_ERROR_MASK = 0xc000;

export function decodeStat(stat: number): StatFlags {
  return {
    dataError: (stat >> 14) & 0x3,
    syncLost: (stat & STAT_SYNC_LOST) !== 0,
    sortByArrival: (stat & (1 << 12)) !== 0,
    trigger: (stat & (1 << 11)) !== 0,
    configChangePending: (stat & STAT_CONFIG_CHANGE) !== 0,
    dataModified: (stat & (1 << 9)) !== 0,
    pmuTimeQuality: (stat >> 6) & 0x7,
    unlockedTime: (stat >> 4) & 0x3,
    triggerReason: stat & 0xf,
  };
}

export function encodeStat(f: StatFlags): number {
  return (
    ((f.dataError & 0x3) << 14) |
    (f.syncLost ? STAT_SYNC_LOST : 0) |
    (f.sortByArrival ? 1 << 12 : 0) |
    (f.trigger ? 1 << 11 : 0) |
    (f.configChangePending ? STAT_CONFIG_CHANGE : 0) |
    (f.dataModified ? 1 << 9 : 0) |
    ((f.pmuTimeQuality & 0x7) << 6) |
    ((f.unlockedTime & 0x3) << 4) |
    (f.triggerReason & 0xf)
  );
}

import { LatencyHistogram } from './latency-histogram';

/** STAT bit 13: the PMU is not synchronised to a UTC source. */
const STAT_SYNC_LOST = 1 << 13;
/** STAT bits 15-14: PMU error or test mode. */
const STAT_DATA_ERROR = 0xc000;

/** Counters of one PMU (or one stream, for frames that fail before their PMU is known). */
export class PmuQuality {
  frames = 0;
  missing = 0;
  late = 0;
  duplicates = 0;
  crcErrors = 0;
  readonly rejects: Record<string, number> = {};
  /** Frames whose message time quality code (FRACSEC) is not 0 (locked to UTC). */
  timeQualityDegraded = 0;
  /** Frames with STAT "sync lost" set, such as a PMU whose GPS is unlocked. */
  syncLost = 0;
  dataErrors = 0;
  lastTimeQualityCode = 0;
  worstTimeQualityCode = 0;
  lastArrivalMs = 0;
  readonly latency = new LatencyHistogram();

  constructor(readonly pmuId: number) {}

  recordFrame(latencyMs: number, timeQualityCode: number, stat: number, arrivalMs: number): void {
    this.frames += 1;
    this.latency.record(latencyMs);
    this.lastTimeQualityCode = timeQualityCode;
    if (timeQualityCode !== 0) this.timeQualityDegraded += 1;
    if (timeQualityCode > this.worstTimeQualityCode) this.worstTimeQualityCode = timeQualityCode;
    if ((stat & STAT_SYNC_LOST) !== 0) this.syncLost += 1;
    if ((stat & STAT_DATA_ERROR) !== 0) this.dataErrors += 1;
    this.lastArrivalMs = arrivalMs;
  }

  recordReject(reason: string): void {
    this.rejects[reason] = (this.rejects[reason] ?? 0) + 1;
    if (reason === 'crc') this.crcErrors += 1;
  }
}

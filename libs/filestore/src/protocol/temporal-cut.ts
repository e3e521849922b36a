import { compareHlc, hlcCutOf, type HlcTimestamp } from './hlc';
import type { TemporalPoint } from './records';

/** What the sparse index of one file keeps per block of records (a block starts every indexIntervalBytes). */
export interface IndexBlock {
  readonly firstSeq: number;
  readonly firstStamp: HlcTimestamp;
  /** Smallest user time in the block; user times need not be monotone, so this bounds the block from below. */
  minUserTimeNs: bigint;
  readonly segment: number;
  readonly position: number;
}

/** The part of a record a cut looks at. */
export interface CutKey {
  readonly userTimeNs: bigint;
  readonly serverTime: HlcTimestamp;
}

/** Which blocks a read "as of" a point scans (0 until `endBlock`), which records it keeps, and when it may stop. */
export interface CutPlan {
  readonly endBlock: number;
  readonly includes: (record: CutKey) => boolean;
  /** True once no later record of the file can be in the cut (server times grow along the file). */
  readonly pastCut: (record: CutKey) => boolean;
}

/** Whether a record belongs to the file "as of" `at`: on the server clock its stamp falls in or before that
 *  millisecond; on the user clock its sensor time is at or before it. */
export function inCut(record: CutKey, at: TemporalPoint): boolean {
  if (at.clock === 'user') return record.userTimeNs <= at.timeNs;
  return compareHlc(record.serverTime, hlcCutOf(at.timeNs)) <= 0;
}

/** Plans a read of a file whose sparse index is `blocks`. */
export function planCut(blocks: readonly IndexBlock[], at: TemporalPoint): CutPlan {
  if (at.clock === 'server') return planServerCut(blocks, at);
  return planUserCut(blocks, at);
}

function planServerCut(blocks: readonly IndexBlock[], at: TemporalPoint): CutPlan {
  const cut = hlcCutOf(at.timeNs);
  // Server stamps grow along a file: the blocks after the last one starting at or before the cut hold nothing of it.
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareHlc(blocks[mid].firstStamp, cut) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return {
    endBlock: lo,
    includes: (r) => compareHlc(r.serverTime, cut) <= 0,
    pastCut: (r) => compareHlc(r.serverTime, cut) > 0,
  };
}

function planUserCut(blocks: readonly IndexBlock[], at: TemporalPoint): CutPlan {
  // A late sensor record may sit after later ones: scan up to the last block holding any user time <= T.
  let endBlock = 0;
  for (let b = 0; b < blocks.length; b++) if (blocks[b].minUserTimeNs <= at.timeNs) endBlock = b + 1;
  return { endBlock, includes: (r) => r.userTimeNs <= at.timeNs, pastCut: () => false };
}

/** The block holding the first record whose seq is at least `seq` (the file's seqs grow). */
export function blockOfSeq(blocks: readonly IndexBlock[], seq: number): number {
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (blocks[mid].firstSeq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

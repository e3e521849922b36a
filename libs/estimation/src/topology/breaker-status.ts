import type { Network } from '@gridcloud/grid';
import type { PmuCatalog } from '../catalog/pmu-catalog';

/** One breaker bit of a PMU's digital words and the branch row it follows. */
export interface BreakerBit {
  readonly word: number;
  readonly bit: number;
  readonly branch: number;
}

/** Where the breaker bits of a catalog land on the network, and the named bits that could not be placed. */
export interface BreakerMap {
  readonly byIdcode: ReadonlyMap<number, readonly BreakerBit[]>;
  /** `IDCODE word.bit name: reason` for each bit named like a breaker that names no branch of the case. */
  readonly unmapped: readonly string[];
  readonly bitCount: number;
}

/** pmu-sim's name of a breaker bit: `BRK#<0-based branch row>`, 1 while the breaker is closed. */
const BREAKER_NAME = /^BRK#(\d{1,9})$/;

/**
 * Reads the catalog's digital-word names: every bit named `BRK#<branch row>`
 * follows that branch's breaker (1 closed, 0 open). Other names are not
 * breakers and are ignored; a breaker name naming a row outside the case, or
 * a branch the case has out of service, is listed in `unmapped`, not guessed.
 */
export function breakerMap(network: Network, catalog: PmuCatalog): BreakerMap {
  const byIdcode = new Map<number, BreakerBit[]>();
  const unmapped: string[] = [];
  let bitCount = 0;
  for (const pmu of catalog.pmus) {
    const bits: BreakerBit[] = [];
    (pmu.digitals ?? []).forEach((names, word) =>
      names.forEach((name, bit) => {
        const match = BREAKER_NAME.exec(name);
        if (match === null) return;
        const branch = Number(match[1]);
        const where = `${pmu.idcode} ${word}.${bit} ${name}`;
        if (branch >= network.branchCount)
          unmapped.push(`${where}: case has ${network.branchCount} branch rows`);
        else if (network.branchInService[branch] === 0) unmapped.push(`${where}: out of service in the case`);
        else bits.push({ word, bit, branch });
      }),
    );
    if (bits.length > 0) byIdcode.set(pmu.idcode, bits);
    bitCount += bits.length;
  }
  return { byIdcode, unmapped, bitCount };
}

/** The parts of a snapshot breaker status needs (a DecodedSnapshot from version 3 on has them). */
export interface SnapshotDigitals {
  readonly idcodes: Uint16Array;
  readonly stat: Uint16Array;
  /** PMU p's words are digitals[digitalStart[p] .. digitalStart[p + 1]); absent before snapshot version 3. */
  readonly digitalStart?: Uint32Array;
  readonly digitals?: Uint16Array;
}

/** Branches whose breaker state a snapshot reports, ascending. */
export interface BreakerStatus {
  readonly open: Int32Array;
  readonly closed: Int32Array;
}

/** STAT bits 15-14: the PMU flags its data as invalid or in error, so its words say nothing either. */
const STAT_DATA_ERROR = 0xc000;

/**
 * The breaker states one snapshot reports: a branch is open when a breaker at
 * either of its ends reads 0 (one open end is enough to carry no current),
 * closed when every bit reporting it reads 1. A PMU absent from the snapshot,
 * with a data error in STAT, or sending fewer words than its catalog entry
 * reports nothing, so its branches fall back to the open-branch rule.
 */
export function breakerStatus(map: BreakerMap, snapshot: SnapshotDigitals): BreakerStatus {
  const open = new Set<number>();
  const closed = new Set<number>();
  const { digitalStart, digitals } = snapshot;
  if (map.bitCount === 0 || digitalStart === undefined || digitals === undefined)
    return { open: new Int32Array(0), closed: new Int32Array(0) };
  for (let p = 0; p < snapshot.idcodes.length; p += 1) {
    const bits = map.byIdcode.get(snapshot.idcodes[p]);
    if (bits === undefined || (snapshot.stat[p] & STAT_DATA_ERROR) !== 0) continue;
    const [first, words] = [digitalStart[p], digitalStart[p + 1] - digitalStart[p]];
    for (const { word, bit, branch } of bits) {
      if (word >= words) continue;
      if (((digitals[first + word] >> bit) & 1) === 1) closed.add(branch);
      else open.add(branch);
    }
  }
  for (const k of open) closed.delete(k);
  const sorted = (s: Set<number>): Int32Array => Int32Array.from([...s].sort((a, b) => a - b));
  return { open: sorted(open), closed: sorted(closed) };
}

/**
 * The branches whose current rows a snapshot's estimate leaves out: every
 * branch the breakers report open, plus the open-branch rule's answer for the
 * branches no breaker reports on (`ruleLeftOut`, computed from candidates
 * that exclude every branch with a reported state).
 */
export function withBreakerStatus(status: BreakerStatus, ruleLeftOut: Int32Array): Int32Array {
  if (status.open.length === 0) return ruleLeftOut;
  const all = new Set([...status.open, ...ruleLeftOut]);
  return Int32Array.from([...all].sort((a, b) => a - b));
}

/** Candidates of the open-branch rule minus the branches whose state the breakers report. */
export function candidatesWithoutStatus(candidates: Int32Array, status: BreakerStatus): Int32Array {
  if (status.open.length === 0 && status.closed.length === 0) return candidates;
  const known = new Set([...status.open, ...status.closed]);
  return candidates.filter((k) => !known.has(k));
}

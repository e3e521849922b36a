/**
 * Where a key lives: rendezvous (highest random weight) hashing over a view's members. Each member's score for a key
 * mixes the key's hash with the member's; the `replication` highest scores are the owners, the first the primary.
 * It is a function of the member set alone, so every member and every client holding the same view computes the
 * same owners, and a view change moves only the keys whose top scores changed.
 */
export class Placement {
  readonly members: readonly string[];
  private readonly memberHashes: Uint32Array;
  /** A hash of the member set: equal placements have equal fingerprints (replies carry it, see DhtClient). */
  readonly fingerprint: number;
  private readonly memberSet: ReadonlySet<string>;

  constructor(
    members: readonly string[],
    readonly replication: number,
  ) {
    if (!Number.isInteger(replication) || replication < 1)
      throw new RangeError(`replication must be a positive integer, got ${replication}`);
    this.members = [...members].sort();
    this.memberSet = new Set(this.members);
    this.memberHashes = Uint32Array.from(this.members, (m) => hashString(m));
    this.fingerprint = hashString(this.members.join('\n'));
  }

  includes(member: string): boolean {
    return this.memberSet.has(member);
  }

  /** The owners of `key`, primary first: min(replication, members) distinct members (equal scores: the member
   *  first in sorted order wins). */
  ownersOf(key: string): string[] {
    const n = this.members.length;
    const r = Math.min(this.replication, n);
    const hk = hashString(key);
    const best: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      const score = mix(hk ^ this.memberHashes[i]);
      let at = best.length;
      while (at > 0 && scores[at - 1] < score) at--;
      if (at >= r) continue;
      // Shift the lower ones down by one place (the last falls off once r are kept).
      for (let j = Math.min(best.length, r - 1); j > at; j--) {
        best[j] = best[j - 1];
        scores[j] = scores[j - 1];
      }
      best[at] = i;
      scores[at] = score;
    }
    return best.map((i) => this.members[i]);
  }

  /** Whether `member` owns `key`, without building the owner list (the put path asks this for every key). */
  isOwner(member: string, key: string): boolean {
    const index = this.members.indexOf(member);
    if (index < 0) return false;
    const hk = hashString(key);
    const own = mix(hk ^ this.memberHashes[index]);
    let above = 0;
    for (let i = 0; i < this.members.length; i++) {
      const score = mix(hk ^ this.memberHashes[i]);
      if (score > own || (score === own && i < index)) above++;
    }
    return above < this.replication;
  }

  primaryOf(key: string): string | undefined {
    return this.ownersOf(key)[0];
  }
}

/** FNV-1a over UTF-16 code units. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's finalizer: spreads every input bit over the output, so key and member hashes combine evenly. */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

import type { AnyConfigFrame, PmuConfig, Pmu3Config } from '@gridcloud/c37118';

/** What the service knows of one PMU from the configuration that describes it, and the source it is bound to. */
export interface PmuInfo {
  readonly idcode: number;
  readonly stationName: string;
  readonly streamIdcode: number;
  readonly cfgcnt: number;
  readonly phasorNames: readonly string[];
  /** Analog channel names, and per digital word its 16 bit names (pmu-sim's breaker bits are `BRK#<branch row>`). */
  readonly analogNames: readonly string[];
  readonly digitalNames: readonly (readonly string[])[];
  /** The one source whose frames carry this PMU's samples; other sources naming it are refused. */
  readonly source: string;
  /** True when the source is one the operator named for this stream (a --tcp target), not just any sender. */
  readonly configured: boolean;
  /** The stream's frames per alignment instant: 1, or the whole factor by which it reports faster. */
  readonly decimation: number;
}

/** How a source claims the PMUs of a configuration. */
export interface PmuClaim {
  readonly configured: boolean;
  readonly decimation: number;
}

export interface RegistryLimits {
  /** Most PMUs bound over all sources. */
  readonly maxPmus: number;
  /** Most PMUs one source may bind, so one sender cannot take every place. */
  readonly maxPmusPerSource: number;
}

export interface RefusedPmu {
  readonly idcode: number;
  readonly message: string;
}

export interface ApplyResult {
  /** PMUs newly bound: the aligner starts expecting them. */
  readonly added: number[];
  /** PMUs no longer bound to any source: the aligner stops expecting them. */
  readonly removed: number[];
  /** PMUs of the configuration this source may not bind, with why. */
  readonly refused: RefusedPmu[];
  /** A PMU kept its binding but its CFGCNT changed. */
  readonly changed: boolean;
}

interface SourcePmus {
  /** PMUs bound through each stream IDCODE of this source. */
  readonly streams: Map<number, number[]>;
  count: number;
}

/**
 * The configuration in force per PMU IDCODE, each PMU bound to the source
 * that configured it. A stream's new configuration replaces its old one
 * (PMUs it no longer carries are released); a PMU bound to one source is
 * refused to every other, unless the other is configured for it and the
 * holder is not (an operator-named --tcp target takes its PMU back from a
 * sender that claimed it first). PMUs are bounded per source and overall.
 */
export class PmuRegistry {
  private readonly pmus = new Map<number, PmuInfo>();
  private readonly bySource = new Map<string, SourcePmus>();
  /** Goes up whenever an entry may have been replaced or removed, so a copy elsewhere knows to refresh. */
  version = 0;

  constructor(readonly limits: RegistryLimits) {}

  /** Binds the PMUs of `config` to `source` as far as the rules allow. */
  apply(config: AnyConfigFrame, source: string, claim: PmuClaim): ApplyResult {
    this.version += 1;
    const entry = this.sourceEntry(source);
    const wanted = new Set(config.pmus.map((p) => p.idcode));
    // Release what the stream no longer carries first, so a shrinking configuration frees its places.
    const removed = (entry.streams.get(config.idcode) ?? []).filter((id) => !wanted.has(id));
    for (const id of removed) this.release(id);
    const result = { added: [] as number[], removed, refused: [] as RefusedPmu[] };
    const bound = new Set<number>();
    let changed = false;
    for (const pmu of config.pmus) {
      const outcome = this.bind(describe(pmu, config.idcode, source, claim), entry);
      if (typeof outcome === 'object') result.refused.push(outcome);
      else bound.add(pmu.idcode);
      if (outcome === 'added') result.added.push(pmu.idcode);
      changed ||= outcome === 'changed';
    }
    entry.streams.set(config.idcode, [...bound]);
    return { ...result, changed };
  }

  /** Releases every PMU of one stream of a source (its configuration was refused); returns them. */
  withdrawStream(source: string, streamIdcode: number): number[] {
    this.version += 1;
    const entry = this.bySource.get(source);
    const ids = entry?.streams.get(streamIdcode) ?? [];
    entry?.streams.delete(streamIdcode);
    for (const id of ids) this.release(id);
    return ids;
  }

  /** Releases every PMU of a source that went away for good; returns them. */
  dropSource(source: string): number[] {
    this.version += 1;
    const entry = this.bySource.get(source);
    if (entry === undefined) return [];
    const ids = [...entry.streams.values()].flat();
    for (const id of ids) this.release(id);
    this.bySource.delete(source);
    return ids;
  }

  get(idcode: number): PmuInfo | undefined {
    return this.pmus.get(idcode);
  }

  /** PMUs bound to `source`. */
  countOf(source: string): number {
    return this.bySource.get(source)?.count ?? 0;
  }

  get size(): number {
    return this.pmus.size;
  }

  all(): PmuInfo[] {
    return [...this.pmus.values()].sort((a, b) => a.idcode - b.idcode);
  }

  /** 'added', 'kept' or 'changed' (CFGCNT) when bound, else why not. */
  private bind(info: PmuInfo, entry: SourcePmus): 'added' | 'kept' | 'changed' | RefusedPmu {
    const holder = this.pmus.get(info.idcode);
    if (holder !== undefined && holder.source === info.source) {
      this.unlist(holder);
      this.pmus.set(info.idcode, info);
      entry.count += 1;
      return holder.cfgcnt === info.cfgcnt ? 'kept' : 'changed';
    }
    if (holder !== undefined && (!info.configured || holder.configured)) {
      return {
        idcode: info.idcode,
        message: `PMU ${info.idcode} is bound to ${holder.source}; refused from ${info.source}`,
      };
    }
    const refusal = this.limitRefusal(info, entry, holder === undefined);
    if (refusal !== undefined) return refusal;
    // A configured source takes the PMU over from an unconfigured holder; the aligner goes on expecting it.
    if (holder !== undefined) this.release(holder.idcode);
    this.pmus.set(info.idcode, info);
    entry.count += 1;
    return holder === undefined ? 'added' : 'kept';
  }

  private limitRefusal(info: PmuInfo, entry: SourcePmus, isNew: boolean): RefusedPmu | undefined {
    if (entry.count >= this.limits.maxPmusPerSource) {
      return {
        idcode: info.idcode,
        message: `PMU ${info.idcode} refused: ${info.source} already has maxPmusPerSource ${this.limits.maxPmusPerSource} PMUs`,
      };
    }
    if (isNew && this.pmus.size >= this.limits.maxPmus) {
      return {
        idcode: info.idcode,
        message: `PMU ${info.idcode} refused: maxPmus ${this.limits.maxPmus} reached`,
      };
    }
    return undefined;
  }

  /** Unbinds a PMU from whichever source and stream hold it. */
  private release(idcode: number): void {
    const info = this.pmus.get(idcode);
    if (info === undefined) return;
    this.unlist(info);
    this.pmus.delete(idcode);
  }

  /** Takes a bound PMU off its source's stream list and count (the binding itself is left to the caller). */
  private unlist(info: PmuInfo): void {
    const entry = this.bySource.get(info.source);
    if (entry === undefined) return;
    entry.count -= 1;
    const list = entry.streams.get(info.streamIdcode);
    if (list === undefined) return;
    const at = list.indexOf(info.idcode);
    if (at >= 0) list.splice(at, 1);
  }

  private sourceEntry(source: string): SourcePmus {
    let entry = this.bySource.get(source);
    if (entry === undefined) {
      entry = { streams: new Map(), count: 0 };
      this.bySource.set(source, entry);
    }
    return entry;
  }
}

function describe(p: PmuConfig | Pmu3Config, streamIdcode: number, source: string, claim: PmuClaim): PmuInfo {
  return {
    idcode: p.idcode,
    stationName: p.stationName.trim(),
    streamIdcode,
    cfgcnt: p.cfgcnt,
    phasorNames: p.phasors.map((ph) => ph.name.trim()),
    analogNames: p.analogs.map((a) => a.name.trim()),
    digitalNames: p.digitals.map((d) => d.names.map((n) => n.trim())),
    source,
    configured: claim.configured,
    decimation: claim.decimation,
  };
}

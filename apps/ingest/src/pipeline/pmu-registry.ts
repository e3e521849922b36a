import type { AnyConfigFrame } from '@gridcloud/c37118';

/** What the service knows of one PMU from the configuration that describes it. */
export interface PmuInfo {
  readonly idcode: number;
  readonly stationName: string;
  readonly streamIdcode: number;
  readonly cfgcnt: number;
  readonly phasorNames: readonly string[];
  readonly source: string;
}

/**
 * The configuration in force per PMU IDCODE across all sources. A stream's
 * new configuration replaces its PMUs; PMUs it no longer carries are
 * returned so the aligner stops expecting them.
 */
export class PmuRegistry {
  private readonly pmus = new Map<number, PmuInfo>();
  private readonly byStream = new Map<string, readonly number[]>();

  /** Records a configuration; returns the PMUs that appeared and those that disappeared. */
  apply(config: AnyConfigFrame, source: string): { added: number[]; removed: number[]; changed: boolean } {
    const key = `${source}/${config.idcode}`;
    const before = this.byStream.get(key) ?? [];
    const now = config.pmus.map((p) => p.idcode);
    let changed = false;
    for (const p of config.pmus) {
      const old = this.pmus.get(p.idcode);
      if (old !== undefined && old.cfgcnt !== p.cfgcnt) changed = true;
      this.pmus.set(p.idcode, { idcode: p.idcode, stationName: p.stationName.trim(), streamIdcode: config.idcode, cfgcnt: p.cfgcnt, phasorNames: p.phasors.map((ph) => ph.name.trim()), source });
    }
    this.byStream.set(key, now);
    const removed = before.filter((id) => !now.includes(id));
    for (const id of removed) this.pmus.delete(id);
    return { added: now.filter((id) => !before.includes(id)), removed, changed };
  }

  get(idcode: number): PmuInfo | undefined {
    return this.pmus.get(idcode);
  }

  get size(): number {
    return this.pmus.size;
  }

  all(): PmuInfo[] {
    return [...this.pmus.values()].sort((a, b) => a.idcode - b.idcode);
  }
}

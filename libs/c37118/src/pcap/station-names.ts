import { C37ConfigError } from '../errors/config-error';

/**
 * The distinct station names a capture's configurations carry, in the order
 * first seen, at most `maxStations` of them. A configuration can rename its
 * PMUs every time it is sent, so this is a hash set: checking a name costs the
 * same however many were seen before (a list scanned per name made a capture
 * with 100 renaming configurations take 20 times as long as one with 20).
 */
export class StationNames {
  private readonly names = new Set<string>();
  /** Names left out once the list was full, counted each time one is seen. */
  dropped = 0;
  /** Entries examined to place names: one per name offered, so tests can show the work is linear. */
  examined = 0;

  constructor(private readonly maxStations: number) {
    if (!Number.isInteger(maxStations) || maxStations < 0)
      throw new C37ConfigError(`maxStations must be a non-negative integer, got ${String(maxStations)}`);
  }

  add(name: string): void {
    this.examined += 1;
    if (this.names.has(name)) return;
    if (this.names.size < this.maxStations) this.names.add(name);
    else this.dropped += 1;
  }

  list(): string[] {
    return [...this.names];
  }
}

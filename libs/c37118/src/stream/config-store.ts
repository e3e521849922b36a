import { C37ConfigError } from '../errors/config-error';
import { DataFrameView } from '../codec/data-frame-view';
import { DataLayout } from '../codec/data-layout';
import type { AnyConfigFrame } from '../codec/frame-types';

export interface ConfigStoreOptions {
  /** Most IDCODEs whose configuration is kept; a bound against a peer inventing IDCODEs. */
  readonly maxConfigs: number;
  /**
   * Most configuration held, summed over IDCODEs and counted as CFG-2 wire bytes (see `configWireBytes`);
   * a bound against a peer sending many large configurations (each is kept decoded, several times its wire size).
   */
  readonly maxConfigBytes?: number;
  /** Shared by several stores (one per sender, say): their configurations together stay within its bytes. */
  readonly budget?: ConfigBudget;
}

/** A byte bound shared by several configuration stores, counted like `maxConfigBytes`. */
export class ConfigBudget {
  usedBytes = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 64) {
      throw new C37ConfigError(
        `a configuration budget must be an integer of at least 64 bytes, got ${String(maxBytes)}`,
      );
    }
  }
}

/** The default byte bound: every IDCODE of a 4096-stream store at a typical few hundred bytes each, with room to spare. */
export const DEFAULT_MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export interface ConfigEntry {
  readonly config: AnyConfigFrame;
  readonly layout: DataLayout;
  /** Reused for every data frame of this IDCODE. */
  readonly view: DataFrameView;
  /** This configuration's share of `maxConfigBytes`. */
  readonly bytes: number;
}

/** Bytes of a CFG-2 frame describing the same PMUs and channels: the size used for `maxConfigBytes`, whatever the kind. */
export function configWireBytes(config: AnyConfigFrame): number {
  let bytes = 24;
  for (const p of config.pmus)
    bytes += 30 + 20 * (p.phasors.length + p.analogs.length) + 260 * p.digitals.length;
  return bytes;
}

/**
 * The configuration in force per IDCODE (the stream's IDCODE in the frame
 * header). CFG-2 and CFG-3 describe the data stream; CFG-1 only describes
 * capability, so it is used only until a CFG-2 or CFG-3 arrives. A new
 * configuration for an IDCODE replaces the old one; one for a new IDCODE is
 * refused when it would pass `maxConfigs` or `maxConfigBytes`.
 */
export class ConfigStore {
  private readonly entries = new Map<number, ConfigEntry>();
  private bytesHeld = 0;
  /** Content of a CFG-3 series being reassembled for this store's stream (part of `bytesHeld`). */
  private seriesBytes = 0;
  readonly maxConfigBytes: number;

  constructor(readonly options: ConfigStoreOptions = { maxConfigs: 4096 }) {
    if (!Number.isInteger(options.maxConfigs) || options.maxConfigs < 1) {
      throw new C37ConfigError(`maxConfigs must be a positive integer, got ${String(options.maxConfigs)}`);
    }
    this.maxConfigBytes = options.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES;
    if (!Number.isInteger(this.maxConfigBytes) || this.maxConfigBytes < 64) {
      throw new C37ConfigError(
        `maxConfigBytes must be an integer of at least 64, got ${String(options.maxConfigBytes)}`,
      );
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Configuration bytes held (see `configWireBytes`) and any CFG-3 series content, at most `maxConfigBytes`. */
  get bytes(): number {
    return this.bytesHeld;
  }

  get(idcode: number): ConfigEntry | undefined {
    return this.entries.get(idcode);
  }

  configFor = (idcode: number): AnyConfigFrame | undefined => this.entries.get(idcode)?.config;

  /** Why `config` would be refused, or undefined when `put` would keep it. */
  refusal(config: AnyConfigFrame): string | undefined {
    const existing = this.entries.get(config.idcode);
    if (existing === undefined && this.entries.size >= this.options.maxConfigs) {
      return `configuration for a new IDCODE ${config.idcode} refused: maxConfigs ${this.options.maxConfigs} reached`;
    }
    const bytes = configWireBytes(config);
    const after = this.bytesHeld - (existing?.bytes ?? 0) + bytes;
    if (after > this.maxConfigBytes) {
      return `configuration for IDCODE ${config.idcode} (${bytes} bytes) refused: maxConfigBytes ${this.maxConfigBytes} would be passed (${this.bytesHeld} held)`;
    }
    const budget = this.options.budget;
    if (budget !== undefined && budget.usedBytes - (existing?.bytes ?? 0) + bytes > budget.maxBytes) {
      return `configuration for IDCODE ${config.idcode} (${bytes} bytes) refused: the shared budget of ${budget.maxBytes} bytes is spent (${budget.usedBytes} held)`;
    }
    return undefined;
  }

  /** Returns false when `config` is refused (see `refusal`). */
  put(config: AnyConfigFrame): boolean {
    if (this.refusal(config) !== undefined) return false;
    const existing = this.entries.get(config.idcode);
    if (config.kind === 'cfg1' && existing !== undefined && existing.config.kind !== 'cfg1') return true;
    const layout = new DataLayout(config);
    const bytes = configWireBytes(config);
    this.account(bytes - (existing?.bytes ?? 0));
    this.entries.set(config.idcode, { config, layout, view: new DataFrameView(layout), bytes });
    return true;
  }

  /** Forgets an IDCODE's configuration; its data frames become `no-config` again. */
  delete(idcode: number): void {
    const existing = this.entries.get(idcode);
    if (existing === undefined) return;
    this.account(-existing.bytes);
    this.entries.delete(idcode);
  }

  /** Forgets every configuration, giving its bytes back to a shared budget (the store's owner went away). */
  clear(): void {
    this.account(-this.bytesHeld);
    this.seriesBytes = 0;
    this.entries.clear();
  }

  /**
   * A CFG-3 series being reassembled now holds `bytes` of content: they count
   * against `maxConfigBytes` and the shared budget like a configuration, so
   * many senders each part-way through a series stay within the same bounds.
   * Returns why the series must be given up when they no longer fit.
   */
  holdSeriesBytes(bytes: number): string | undefined {
    this.account(bytes - this.seriesBytes);
    this.seriesBytes = bytes;
    if (bytes === 0) return undefined;
    if (this.bytesHeld > this.maxConfigBytes)
      return `its ${bytes} bytes would pass maxConfigBytes ${this.maxConfigBytes} (${this.bytesHeld - bytes} held)`;
    const budget = this.options.budget;
    if (budget !== undefined && budget.usedBytes > budget.maxBytes)
      return `its ${bytes} bytes would pass the shared budget of ${budget.maxBytes} bytes (${budget.usedBytes - bytes} held)`;
    return undefined;
  }

  private account(deltaBytes: number): void {
    this.bytesHeld += deltaBytes;
    if (this.options.budget !== undefined) this.options.budget.usedBytes += deltaBytes;
  }

  ids(): number[] {
    return [...this.entries.keys()];
  }
}

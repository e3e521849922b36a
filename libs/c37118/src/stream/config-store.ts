import { C37ConfigError } from '../errors/config-error';
import { DataFrameView } from '../codec/data-frame-view';
import { DataLayout } from '../codec/data-layout';
import type { AnyConfigFrame } from '../codec/frame-types';

export interface ConfigStoreOptions {
  /** Most IDCODEs whose configuration is kept; a bound against a peer inventing IDCODEs. */
  readonly maxConfigs: number;
}

export interface ConfigEntry {
  readonly config: AnyConfigFrame;
  readonly layout: DataLayout;
  /** Reused for every data frame of this IDCODE. */
  readonly view: DataFrameView;
}

/**
 * The configuration in force per IDCODE (the stream's IDCODE in the frame
 * header). CFG-2 and CFG-3 describe the data stream; CFG-1 only describes
 * capability, so it is used only until a CFG-2 or CFG-3 arrives.
 */
export class ConfigStore {
  private readonly entries = new Map<number, ConfigEntry>();

  constructor(readonly options: ConfigStoreOptions = { maxConfigs: 4096 }) {
    if (!Number.isInteger(options.maxConfigs) || options.maxConfigs < 1) {
      throw new C37ConfigError(`maxConfigs must be a positive integer, got ${String(options.maxConfigs)}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(idcode: number): ConfigEntry | undefined {
    return this.entries.get(idcode);
  }

  configFor = (idcode: number): AnyConfigFrame | undefined => this.entries.get(idcode)?.config;

  /** Returns false when the store is full and `config` is for a new IDCODE. */
  put(config: AnyConfigFrame): boolean {
    const existing = this.entries.get(config.idcode);
    if (existing === undefined && this.entries.size >= this.options.maxConfigs) return false;
    if (config.kind === 'cfg1' && existing !== undefined && existing.config.kind !== 'cfg1') return true;
    const layout = new DataLayout(config);
    this.entries.set(config.idcode, { config, layout, view: new DataFrameView(layout) });
    return true;
  }

  ids(): number[] {
    return [...this.entries.keys()];
  }
}

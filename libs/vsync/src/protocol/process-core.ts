import { resolveCoreConfig, type CoreConfig, type ResolvedCoreConfig } from './core-config';
import type { CoreInput, CoreOutput } from './core-io';

/** The whole protocol of one process as a pure state machine: `step(input) -> outputs`. */
export class ProcessCore {
  readonly config: ResolvedCoreConfig;

  constructor(config: CoreConfig) {
    this.config = resolveCoreConfig(config);
  }

  step(input: CoreInput): CoreOutput[] {
    void input;
    return [];
  }
}

import { VsyncError } from './vsync-error';

/** A configuration value is missing or out of range; raised at construction, before anything runs. */
export class ConfigError extends VsyncError {
  constructor(field: string, detail: string) {
    super('CONFIG', `ConfigError: ${field} ${detail}; fix the vsync configuration and start again`);
  }
}

import { setting } from './setting-kinds';
import type { SettingsOf } from './settings-schema';

export interface ClusterSettingsOptions {
  /** Earlier flag names a service keeps accepting, e.g. ingest's `vsync-bind-host`. */
  readonly vsyncHostAliases?: readonly string[];
  readonly vsyncPortAliases?: readonly string[];
}

/**
 * The settings every app of the cluster shares (its vsync address and seeds, the HTTP port of /health and /metrics,
 * the stats interval, the run time), to spread into the app's own schema.
 */
export function clusterSettings(options: ClusterSettingsOptions = {}) {
  return {
    vsyncHost: setting.string({
      flag: 'vsync-host',
      aliases: options.vsyncHostAliases,
      doc: 'interface the vsync process listens on',
      default: '127.0.0.1',
    }),
    vsyncPort: setting.int({
      flag: 'vsync-port',
      aliases: options.vsyncPortAliases,
      doc: 'port the vsync process listens on (0 = ephemeral)',
      min: 0,
      max: 65_535,
      default: 0,
    }),
    vsyncSeeds: setting.hostPortList({
      flag: 'vsync-seeds',
      doc: 'vsync processes to contact when joining the system; none: stay out of the system',
    }),
    httpPort: setting.portOrOff({
      flag: 'http-port',
      doc: 'port of GET /health and GET /metrics (0 = ephemeral, off = none)',
      default: 0,
    }),
    statsIntervalMs: setting.int({
      flag: 'stats-interval-ms',
      doc: 'how often to print a {"event":"stats"} line (0 = never)',
      min: 0,
      max: 3_600_000,
      unit: 'ms',
      default: 0,
    }),
    durationS: setting.number({
      flag: 'duration-s',
      doc: 'stop after this long (0 = run until SIGTERM or Ctrl-C)',
      min: 0,
      max: 86_400 * 365,
      unit: 's',
      default: 0,
    }),
  };
}

/** The parsed cluster settings: `vsyncHost`, `vsyncPort`, `vsyncSeeds`, `httpPort` (null = off), `statsIntervalMs`,
 *  `durationS`. */
export type ClusterSettings = SettingsOf<ReturnType<typeof clusterSettings>>;

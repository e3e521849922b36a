import fs from 'node:fs';
import path from 'node:path';
import { clusterSettings, setting, settingsSchema, vsyncSecretOf, vsyncTlsOf } from '@gridcloud/command-line';
import { DesiredStateError, parseDesiredState, type DesiredState } from '@gridcloud/supervision';
import { SupervisorConfigError } from '../errors/supervisor-config-error';

/** The supervisor's flags; each also reads GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>. */
export const SUPERVISOR_SETTINGS = settingsSchema(
  'usage: supervisor --desired-state FILE.yaml [flags]',
  {
    desiredStatePath: setting.path({
      flag: 'desired-state',
      doc: 'YAML or JSON desired state (libs/supervision/README.md)',
      required: true,
    }),
    ...clusterSettings(),
    failureTimeoutMs: setting.int({
      flag: 'failure-timeout-ms',
      doc: 'vsync failure detection',
      min: 50,
      max: 600_000,
      unit: 'ms',
      default: 1500,
    }),
    heartbeatIntervalMs: setting.int({
      flag: 'heartbeat-interval-ms',
      doc: 'vsync heartbeats',
      min: 10,
      max: 60_000,
      unit: 'ms',
      default: 150,
    }),
    tickIntervalMs: setting.int({
      flag: 'tick-interval-ms',
      doc: 'how often backoffs and join timeouts are checked',
      min: 5,
      max: 10_000,
      unit: 'ms',
      default: 100,
    }),
    rosterTimeoutMs: setting.int({
      flag: 'roster-timeout-ms',
      doc: "how long a joining supervisor waits for the agents' rosters before deciding from the views alone",
      min: 0,
      max: 600_000,
      unit: 'ms',
      default: 5000,
    }),
  },
  (message) => new SupervisorConfigError(message),
);

export interface SupervisorOptions {
  readonly desiredStatePath: string;
  readonly desiredState: DesiredState;
  readonly vsyncHost: string;
  readonly vsyncPort: number;
  readonly vsyncSeeds: readonly string[];
  /** The cluster's shared vsync secret (--vsync-secret-file, GRIDCLOUD_VSYNC_SECRET); undefined: open links. */
  readonly vsyncSecret?: string;
  /** Mutual TLS on this supervisor's vsync links (--vsync-tls-cert, -key, -ca); undefined: plain TCP. */
  readonly vsyncTls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** GET /health and /metrics; 0: ephemeral; 'off': none. */
  readonly httpPort: number | 'off';
  readonly failureTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** How often the decision core is ticked (backoff and join timeouts resolve at this granularity). */
  readonly tickIntervalMs: number;
  /** How long a joining supervisor waits for the agents' rosters before deciding from the views alone. */
  readonly rosterTimeoutMs: number;
  /** 0: no periodic stats line. */
  readonly statsIntervalMs: number;
  readonly durationS: number;
}

export function parseSupervisorOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SupervisorOptions {
  const s = SUPERVISOR_SETTINGS.parse(argv, env);
  if (s.failureTimeoutMs <= s.heartbeatIntervalMs)
    throw new SupervisorConfigError('--failure-timeout-ms must exceed --heartbeat-interval-ms');
  const file = path.resolve(s.desiredStatePath);
  return {
    desiredStatePath: file,
    desiredState: readDesiredState(file),
    vsyncHost: s.vsyncHost,
    vsyncPort: s.vsyncPort,
    vsyncSeeds: s.vsyncSeeds.map((h) => `${h.host}:${h.port}`),
    vsyncSecret: vsyncSecretOf(s),
    vsyncTls: vsyncTlsOf(s, (message) => new SupervisorConfigError(message)),
    httpPort: s.httpPort ?? 'off',
    failureTimeoutMs: s.failureTimeoutMs,
    heartbeatIntervalMs: s.heartbeatIntervalMs,
    tickIntervalMs: s.tickIntervalMs,
    rosterTimeoutMs: s.rosterTimeoutMs,
    statsIntervalMs: s.statsIntervalMs,
    durationS: s.durationS,
  };
}

/** Reads and validates the desired state; an unreadable or invalid file is a configuration error naming it. */
export function readDesiredState(file: string): DesiredState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new SupervisorConfigError(
      `--desired-state: cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  try {
    return parseDesiredState(text, file);
  } catch (error) {
    if (error instanceof DesiredStateError) throw new SupervisorConfigError(error.message);
    throw error;
  }
}

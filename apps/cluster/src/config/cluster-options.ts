import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterSettings, setting, settingsSchema, vsyncTlsOf } from '@gridcloud/command-line';
import { ClusterConfigError } from '../errors/cluster-config-error';

export const DEFAULT_DESIRED_STATE = fileURLToPath(new URL('../../desired-state.yaml', import.meta.url));

/** `npm start`'s flags; each also reads GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>. */
export const CLUSTER_SETTINGS = settingsSchema(
  `usage: npm start -- [flags]
Runs the host agent and the console; the supervisors it starts bring up the rest of the desired state.`,
  {
    desiredStatePath: setting.path({
      flag: 'desired-state',
      doc: 'what to run (default apps/cluster/desired-state.yaml)',
    }),
    casePath: setting.path({ flag: 'case', doc: "the desired state's vars.case: the MATPOWER case" }),
    fps: setting.int({ flag: 'fps', doc: "vars.fps: pmu-sim's rate", min: 1, max: 240, unit: 'frames/s' }),
    portBase: setting.int({
      flag: 'port-base',
      doc: "the agent's vsync port; instance k uses the 4 ports after N+4k (default: the desired state's)",
      min: 1024,
      max: 65_000,
    }),
    httpPort: clusterSettings().httpPort,
    vsyncTlsCert: clusterSettings().vsyncTlsCert,
    vsyncTlsKey: clusterSettings().vsyncTlsKey,
    vsyncTlsCa: clusterSettings().vsyncTlsCa,
    truthPath: setting.path({ flag: 'truth', doc: "pmu-sim's truth file (default <run dir>/truth.jsonl)" }),
    statusIntervalMs: setting.int({
      flag: 'status-interval-ms',
      doc: 'one status line per interval',
      min: 100,
      max: 3_600_000,
      unit: 'ms',
      default: 1000,
    }),
    jsonStatus: setting.boolean({
      flag: 'json-status',
      doc: 'status lines and events as JSON lines',
      default: false,
    }),
    durationS: setting.number({
      flag: 'duration-s',
      doc: 'stop after this long (0 = run until Ctrl-C)',
      min: 0,
      max: 86_400 * 365,
      unit: 's',
      default: 0,
    }),
    stopGraceMs: setting.int({
      flag: 'stop-grace-ms',
      doc: 'SIGTERM to SIGKILL when stopping',
      min: 0,
      max: 600_000,
      unit: 'ms',
      default: 5000,
    }),
    failureTimeoutMs: setting.int({
      flag: 'failure-timeout-ms',
      doc: "the agent's vsync failure detection",
      min: 50,
      max: 600_000,
      unit: 'ms',
      default: 1500,
    }),
    heartbeatIntervalMs: setting.int({
      flag: 'heartbeat-interval-ms',
      doc: "the agent's vsync heartbeats",
      min: 10,
      max: 60_000,
      unit: 'ms',
      default: 150,
    }),
  },
  (message) => new ClusterConfigError(message),
);

export interface ClusterOptions {
  readonly desiredStatePath: string;
  /** Overrides of the desired state's `vars` (case, fps, truth) and `portBase`. */
  readonly vars: Readonly<Record<string, string>>;
  readonly portBase: number | undefined;
  /** The agent's GET /health (0: ephemeral; null: off). */
  readonly httpPort: number | null;
  readonly statusIntervalMs: number;
  readonly jsonStatus: boolean;
  /** 0 runs until SIGINT/SIGTERM. */
  readonly durationS: number;
  /** How long each process gets between SIGTERM and SIGKILL when the cluster stops. */
  readonly stopGraceMs: number;
  readonly failureTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Mutual TLS on every vsync link of the run: the agent's and, through it, every instance's. */
  readonly vsyncTls:
    { readonly certFile: string; readonly keyFile: string; readonly caFile: string } | undefined;
}

export function parseClusterOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ClusterOptions {
  const s = CLUSTER_SETTINGS.parse(argv, env);
  if (s.failureTimeoutMs <= s.heartbeatIntervalMs)
    throw new ClusterConfigError('--failure-timeout-ms must exceed --heartbeat-interval-ms');
  const vars: Record<string, string> = {};
  if (s.casePath !== undefined) vars.case = path.resolve(s.casePath);
  if (s.fps !== undefined) vars.fps = String(s.fps);
  if (s.truthPath !== undefined) vars.truth = path.resolve(s.truthPath);
  return {
    desiredStatePath: path.resolve(s.desiredStatePath ?? DEFAULT_DESIRED_STATE),
    vars,
    portBase: s.portBase,
    httpPort: s.httpPort,
    statusIntervalMs: s.statusIntervalMs,
    jsonStatus: s.jsonStatus,
    durationS: s.durationS,
    stopGraceMs: s.stopGraceMs,
    failureTimeoutMs: s.failureTimeoutMs,
    heartbeatIntervalMs: s.heartbeatIntervalMs,
    vsyncTls: vsyncTlsOf(s, (message) => new ClusterConfigError(message)),
  };
}

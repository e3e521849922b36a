import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagParser } from '@gridcloud/command-line';
import { ClusterConfigError } from '../errors/cluster-config-error';

const { parseFlags, numberFlag, stringFlag } = flagParser((message) => new ClusterConfigError(message));

export const CLUSTER_FLAGS = [
  'desired-state',
  'case',
  'fps',
  'port-base',
  'truth',
  'status-interval-ms',
  'json-status',
  'duration-s',
  'stop-grace-ms',
  'failure-timeout-ms',
  'heartbeat-interval-ms',
  'help',
];

export const CLUSTER_USAGE = `usage: npm start -- [--desired-state FILE.yaml] [--case FILE.m] [--fps 30] [--port-base N]
  [--truth FILE.jsonl] [--status-interval-ms 1000] [--json-status] [--duration-s 0 (until Ctrl-C)]
  [--stop-grace-ms 5000] [--failure-timeout-ms 1500] [--heartbeat-interval-ms 150]
Runs the host agent and the console; the supervisors it starts bring up the rest of the desired state
(default apps/cluster/desired-state.yaml). Every flag may come from GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>.`;

export const DEFAULT_DESIRED_STATE = fileURLToPath(new URL('../../desired-state.yaml', import.meta.url));

export interface ClusterOptions {
  readonly desiredStatePath: string;
  /** Overrides of the desired state's `vars` (case, fps, truth) and `portBase`. */
  readonly vars: Readonly<Record<string, string>>;
  readonly portBase: number | undefined;
  readonly statusIntervalMs: number;
  readonly jsonStatus: boolean;
  /** 0 runs until SIGINT/SIGTERM. */
  readonly durationS: number;
  /** How long each process gets between SIGTERM and SIGKILL when the cluster stops. */
  readonly stopGraceMs: number;
  readonly failureTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly help: boolean;
}

export function parseClusterOptions(argv: readonly string[]): ClusterOptions {
  const f = parseFlags(argv, CLUSTER_FLAGS);
  const vars: Record<string, string> = {};
  const casePath = stringFlag(f, 'case');
  if (casePath !== undefined) vars.case = path.resolve(casePath);
  if (f.has('fps')) vars.fps = String(numberFlag(f, 'fps', 30, 1, 240, true));
  const truth = stringFlag(f, 'truth');
  if (truth !== undefined) vars.truth = path.resolve(truth);
  const heartbeatIntervalMs = numberFlag(f, 'heartbeat-interval-ms', 150, 10, 60_000, true);
  const failureTimeoutMs = numberFlag(f, 'failure-timeout-ms', 1500, 50, 600_000, true);
  if (failureTimeoutMs <= heartbeatIntervalMs)
    throw new ClusterConfigError('--failure-timeout-ms must exceed --heartbeat-interval-ms');
  return {
    desiredStatePath: path.resolve(stringFlag(f, 'desired-state') ?? DEFAULT_DESIRED_STATE),
    vars,
    portBase: f.has('port-base') ? numberFlag(f, 'port-base', 0, 1024, 65_000, true) : undefined,
    statusIntervalMs: numberFlag(f, 'status-interval-ms', 1000, 100, 3_600_000, true),
    jsonStatus: f.has('json-status') && stringFlag(f, 'json-status') !== 'false',
    durationS: numberFlag(f, 'duration-s', 0, 0, 86_400 * 365),
    stopGraceMs: numberFlag(f, 'stop-grace-ms', 5000, 0, 600_000, true),
    failureTimeoutMs,
    heartbeatIntervalMs,
    help: f.has('help'),
  };
}

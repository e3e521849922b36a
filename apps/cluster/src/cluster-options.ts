import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagParser } from '@gridcloud/command-line';
import { ClusterConfigError } from './errors/cluster-config-error';

const { parseFlags, numberFlag, stringFlag } = flagParser((message) => new ClusterConfigError(message));

export const CLUSTER_FLAGS = [
  'case',
  'fps',
  'pmus-per-stream',
  'status-interval-ms',
  'duration-s',
  'max-restarts',
  'restart-delay-ms',
];

export const CLUSTER_USAGE = `usage: npm start -- [--case FILE.m] [--fps 30] [--pmus-per-stream 1] [--status-interval-ms 5000]
  [--duration-s 0 (run until Ctrl-C)] [--max-restarts 5] [--restart-delay-ms 1000]`;

const DEFAULT_CASE = fileURLToPath(new URL('../cases/case118.m', import.meta.url));

export interface ClusterOptions {
  readonly casePath: string;
  readonly fps: number;
  readonly pmusPerStream: number;
  /** How often the cluster prints one status line. */
  readonly statusIntervalMs: number;
  /** 0 runs until SIGINT/SIGTERM. */
  readonly durationS: number;
  /** Restarts of one role, at most, before the cluster gives up on it and stops. */
  readonly maxRestarts: number;
  readonly restartDelayMs: number;
}

export function parseClusterOptions(argv: readonly string[]): ClusterOptions {
  const f = parseFlags(argv, CLUSTER_FLAGS);
  return {
    casePath: path.resolve(stringFlag(f, 'case') ?? DEFAULT_CASE),
    fps: numberFlag(f, 'fps', 30, 1, 240, true),
    pmusPerStream: numberFlag(f, 'pmus-per-stream', 1, 1, 256, true),
    statusIntervalMs: numberFlag(f, 'status-interval-ms', 5000, 100, 3_600_000, true),
    durationS: numberFlag(f, 'duration-s', 0, 0, 86_400 * 365),
    maxRestarts: numberFlag(f, 'max-restarts', 5, 0, 1000, true),
    restartDelayMs: numberFlag(f, 'restart-delay-ms', 1000, 0, 600_000, true),
  };
}

import fs from 'node:fs';
import path from 'node:path';
import { flagParser } from '@gridcloud/command-line';
import { DesiredStateError, parseDesiredState, type DesiredState } from '@gridcloud/supervision';
import { SupervisorConfigError } from '../errors/supervisor-config-error';
import { envName, withEnvFallback } from './env-fallback';

const { parseFlags, numberFlag, stringFlag, parseHostPort } = flagParser((m) => new SupervisorConfigError(m));

export const SUPERVISOR_FLAGS = [
  'desired-state',
  'vsync-host',
  'vsync-port',
  'vsync-seeds',
  'http-port',
  'failure-timeout-ms',
  'heartbeat-interval-ms',
  'tick-interval-ms',
  'roster-timeout-ms',
  'stats-interval-ms',
  'duration-s',
];

export const SUPERVISOR_USAGE = `usage: supervisor --desired-state FILE.yaml [--vsync-host 127.0.0.1] [--vsync-port 0]
  [--vsync-seeds HOST:PORT,...] [--http-port 0|off] [--failure-timeout-ms 1500] [--heartbeat-interval-ms 150]
  [--tick-interval-ms 100] [--roster-timeout-ms 5000] [--stats-interval-ms 0] [--duration-s 0]
  Every flag may come from GRIDCLOUD_<FLAG_IN_UPPER_SNAKE> (e.g. GRIDCLOUD_DESIRED_STATE).`;

export interface SupervisorOptions {
  readonly desiredStatePath: string;
  readonly desiredState: DesiredState;
  readonly vsyncHost: string;
  readonly vsyncPort: number;
  readonly vsyncSeeds: readonly string[];
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
  const f = parseFlags(withEnvFallback(argv, SUPERVISOR_FLAGS, env), SUPERVISOR_FLAGS);
  const file = stringFlag(f, 'desired-state');
  if (file === undefined)
    throw new SupervisorConfigError(
      `--desired-state (or ${envName('desired-state')}) is required: a YAML or JSON file`,
    );
  const seeds = (stringFlag(f, 'vsync-seeds') ?? '').split(',').filter((s) => s.length > 0);
  for (const seed of seeds) parseHostPort(seed, 'vsync-seeds');
  const http = stringFlag(f, 'http-port') ?? '0';
  const heartbeatIntervalMs = numberFlag(f, 'heartbeat-interval-ms', 150, 10, 60_000, true);
  const failureTimeoutMs = numberFlag(f, 'failure-timeout-ms', 1500, 50, 600_000, true);
  if (failureTimeoutMs <= heartbeatIntervalMs)
    throw new SupervisorConfigError('--failure-timeout-ms must exceed --heartbeat-interval-ms');
  return {
    desiredStatePath: path.resolve(file),
    desiredState: readDesiredState(path.resolve(file)),
    vsyncHost: stringFlag(f, 'vsync-host') ?? '127.0.0.1',
    vsyncPort: numberFlag(f, 'vsync-port', 0, 0, 65_535, true),
    vsyncSeeds: seeds,
    httpPort: http === 'off' ? 'off' : numberFlag(f, 'http-port', 0, 0, 65_535, true),
    failureTimeoutMs,
    heartbeatIntervalMs,
    tickIntervalMs: numberFlag(f, 'tick-interval-ms', 100, 5, 10_000, true),
    rosterTimeoutMs: numberFlag(f, 'roster-timeout-ms', 5000, 0, 600_000, true),
    statsIntervalMs: numberFlag(f, 'stats-interval-ms', 0, 0, 3_600_000, true),
    durationS: numberFlag(f, 'duration-s', 0, 0, 86_400 * 365),
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

import fs from 'node:fs';
import path from 'node:path';
import { clusterSettings, setting, settingsSchema, type SettingsOf } from '@gridcloud/command-line';
import { GridError, Network, parseMatpowerCase } from '@gridcloud/grid';
import { DashboardConfigError } from '../errors/dashboard-config-error';
import { parseInfluxTarget, parseRedisTarget } from '../replay/replay-targets';
import { replaySettings } from '../replay/replay-settings';

/** The dashboard's flags; each also reads GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>. */
export const DASHBOARD_SETTINGS = settingsSchema(
  'usage: dashboard --case FILE.m [--truth FILE.jsonl] [flags]',
  {
    casePath: setting.path({ flag: 'case', doc: 'MATPOWER case the estimators run', required: true }),
    truthPath: setting.path({
      flag: 'truth',
      doc: "pmu-sim's truth file (JSON lines), plotted beside the estimate",
    }),
    dashboardToken: setting.string({
      flag: 'dashboard-token',
      doc: 'browsers must present this token (?token=...); none: open to anyone who reaches the port',
    }),
    frameIntervalMs: setting.int({
      flag: 'frame-interval-ms',
      doc: 'period of the frames pushed to browsers (the latest estimate at each tick)',
      min: 10,
      max: 60_000,
      unit: 'ms',
      default: 100,
    }),
    maxFramesInFlight: setting.int({
      flag: 'max-frames-in-flight',
      doc: 'frames a browser has not acknowledged at most; past it only the latest waits',
      min: 1,
      max: 64,
      unit: 'frames',
      default: 2,
    }),
    maxHistoryFrames: setting.int({
      flag: 'max-history-frames',
      doc: 'frames kept for the plots and for a browser that reconnects',
      min: 1,
      max: 100_000,
      unit: 'frames',
      default: 600,
    }),
    maxClients: setting.int({
      flag: 'max-clients',
      doc: 'browsers connected at once at most; more are refused',
      min: 1,
      max: 10_000,
      unit: 'clients',
      default: 64,
    }),
    angleSpreadAlarmDeg: setting.number({
      flag: 'angle-spread-alarm-deg',
      doc: 'system angle spread above which the page raises an alarm',
      min: 0,
      max: 360,
      unit: 'deg',
      default: 60,
    }),
    vsyncResults: setting.enum({
      flag: 'vsync-results',
      doc: 'receive the `results` group as a client through a representative member (the estimators never wait for the dashboard), or as a member',
      values: ['client', 'member'],
      default: 'client',
    }),
    ...replaySettings(),
    ...clusterSettings(),
  },
  (message) => new DashboardConfigError(message),
);

type Settings = SettingsOf<typeof DASHBOARD_SETTINGS.definitions>;

/** The dashboard's one validated configuration: the settings and the case read once at start. */
export interface DashboardOptions {
  readonly settings: Settings;
  /** The bound HTTP port is chosen by --http-port; the dashboard always serves HTTP (off is refused). */
  readonly httpPort: number;
  readonly network: Network;
  readonly truthPath: string | undefined;
}

/** Parses flags and variables and reads the case; any problem is a DashboardConfigError naming it. */
export function parseDashboardOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DashboardOptions {
  const settings = DASHBOARD_SETTINGS.parse(argv, env);
  if (settings.httpPort === null)
    throw new DashboardConfigError(
      '--http-port must be a port: the dashboard is served over HTTP (off has no page)',
    );
  if (settings.dashboardToken !== undefined && settings.dashboardToken.length === 0)
    throw new DashboardConfigError('--dashboard-token must not be empty');
  if (settings.redisUrl !== undefined) parseRedisTarget(settings.redisUrl);
  if (settings.influxUrl !== undefined) parseInfluxTarget(settings.influxUrl);
  const network = readNetwork(path.resolve(settings.casePath));
  const truthPath = settings.truthPath === undefined ? undefined : path.resolve(settings.truthPath);
  return { settings, httpPort: settings.httpPort, network, truthPath };
}

function readNetwork(file: string): Network {
  try {
    return new Network(parseMatpowerCase(fs.readFileSync(file, 'utf8'), path.basename(file)));
  } catch (error) {
    if (error instanceof GridError || (error as NodeJS.ErrnoException).code !== undefined)
      throw new DashboardConfigError(`--case ${file}: ${(error as Error).message}`);
    throw error;
  }
}

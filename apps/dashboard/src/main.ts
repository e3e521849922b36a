import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import {
  ServiceBindError,
  ServiceLogger,
  stopOnSignalOrAfter,
  VsyncModuleOptionsError,
  VsyncServer,
} from '@gridcloud/nest-vsync';
import { VsyncProcess } from '@gridcloud/vsync';
import { AppModule } from './app.module';
import { DASHBOARD_SETTINGS, parseDashboardOptions, type DashboardOptions } from './config/dashboard-options';
import { DashboardConfigError } from './errors/dashboard-config-error';
import { DashboardGateway } from './gateway/dashboard.gateway';
import { DashboardLive } from './live/dashboard-live.service';
import { ResultsSubscription } from './live/results-subscription.service';

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * dashboard: the live web page of the cluster. Prints {"event":"ready","url":...} once it serves,
 * {"event":"stats",...} every --stats-interval-ms and {"event":"stopped",...} on SIGTERM/SIGINT or after
 * --duration-s. Exit 2: a setting, or what it names, cannot be used (one line); 1: a failure at run time.
 */
async function main(options: DashboardOptions): Promise<void> {
  const s = options.settings;
  const logger = new ServiceLogger('dashboard', { verbose: process.env.GRIDCLOUD_NEST_VERBOSE === '1' });
  const app = await NestFactory.create(AppModule.forRoot(options), { logger, abortOnError: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  app.connectMicroservice({ strategy: app.get(VsyncServer) });
  await app
    .init()
    .catch((error: unknown) => Promise.reject(bound(error, '--vsync-port', `${s.vsyncHost}:${s.vsyncPort}`)));
  await app.startAllMicroservices();
  await app
    .listen(options.httpPort, s.vsyncHost)
    .catch((error: unknown) =>
      Promise.reject(bound(error, '--http-port', `${s.vsyncHost}:${options.httpPort}`)),
    );
  const port = (app.getHttpServer().address() as { port: number }).port;
  const live = app.get(DashboardLive);
  const gateway = app.get(DashboardGateway);
  const results = app.get(ResultsSubscription);
  const self = app.get(VsyncProcess).self;
  const stats = (): Record<string, unknown> => ({
    atMs: Date.now(),
    ...live.stats(),
    resultsSource: results.stats(),
    sockets: gateway.stats(),
  });
  print({
    event: 'ready',
    url: `http://${s.vsyncHost}:${port}/`,
    httpPort: port,
    vsync: self.address,
    incarnation: self.incarnation,
    buses: options.network.busCount,
    truth: options.truthPath ?? null,
    tokenRequired: s.dashboardToken !== undefined,
  });
  if (s.statsIntervalMs > 0)
    setInterval(() => print({ event: 'stats', ...stats() }), s.statsIntervalMs).unref();
  stopOnSignalOrAfter(s.durationS, async () => {
    print({ event: 'stopped', ...stats() });
    await app.close();
  });
}

/** A socket that cannot be bound becomes a ServiceBindError naming its flag (exit 2); anything else passes. */
function bound(error: unknown, flag: string, address: string): unknown {
  const e = error as NodeJS.ErrnoException | undefined;
  if (e?.code === 'EADDRINUSE' || e?.code === 'EADDRNOTAVAIL' || e?.code === 'EACCES')
    return new ServiceBindError(flag, address, e);
  return error;
}

const START_ERRORS = [DashboardConfigError, ServiceBindError, VsyncModuleOptionsError];

const argv = process.argv.slice(2);
if (DASHBOARD_SETTINGS.wantsHelp(argv)) {
  process.stdout.write(`${DASHBOARD_SETTINGS.help()}\n`);
  process.exit(0);
}
let options: DashboardOptions;
try {
  options = parseDashboardOptions(argv, process.env);
} catch (error) {
  if (!(error instanceof DashboardConfigError)) throw error;
  process.stderr.write(`dashboard: ${error.message}\n`);
  process.exit(2);
}
main(options).catch((error: unknown) => {
  const known = START_ERRORS.some((type) => error instanceof type);
  process.stderr.write(
    `dashboard: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(known ? 2 : 1);
});

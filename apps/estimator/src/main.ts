import type { AddressInfo } from 'node:net';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { bindingFailure, ServiceBindError, stopOnSignalOrAfter, VsyncServer } from '@gridcloud/nest-vsync';
import { VsyncProcess } from '@gridcloud/vsync';
import { AppModule } from './app.module';
import { ESTIMATOR_SETTINGS, parseEstimatorOptions, type EstimatorOptions } from './config/estimator-options';
import { EstimatorConfigError } from './errors/estimator-config-error';
import { EstimationService } from './estimation/estimation.service';

/** Human-readable logs go to stderr (the catalog lines included); stdout carries only the JSON event lines. */
const stderrLogger: LoggerService = {
  log: (m: unknown, ctx?: string) =>
    void process.stderr.write(`estimator${ctx ? ` [${ctx}]` : ''}: ${String(m)}\n`),
  warn: (m: unknown, ctx?: string) =>
    void process.stderr.write(`estimator${ctx ? ` [${ctx}]` : ''} warn: ${String(m)}\n`),
  error: (m: unknown, ctx?: string) =>
    void process.stderr.write(`estimator${ctx ? ` [${ctx}]` : ''} error: ${String(m)}\n`),
};

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * Boots the app: Nest's shutdown hooks, the vsync joins (service.estimator at init; estimators and results once
 * VsyncServer registered the handlers), /health and /metrics unless --http-port off. A socket that cannot be
 * bound is a ServiceBindError naming its flag.
 */
async function boot(options: EstimatorOptions): Promise<{ app: INestApplication; httpPort: number | null }> {
  const s = options.settings;
  const app = await NestFactory.create(AppModule.forRoot(options), {
    logger: stderrLogger,
    abortOnError: false,
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  app.connectMicroservice({ strategy: app.get(VsyncServer) });
  const vsyncAddress = `${s.vsyncHost}:${s.vsyncPort}`;
  await app
    .init()
    .catch((error: unknown) => Promise.reject(bindingFailure(error, '--vsync-port', vsyncAddress)));
  await app.startAllMicroservices();
  if (s.httpPort === null) return { app, httpPort: null };
  await app
    .listen(s.httpPort, s.vsyncHost)
    .catch((error: unknown) =>
      Promise.reject(bindingFailure(error, '--http-port', `${s.vsyncHost}:${s.httpPort}`)),
    );
  return { app, httpPort: (app.getHttpServer().address() as AddressInfo).port };
}

/**
 * estimator: a replicated state-estimation worker. Prints {"event":"ready",...}
 * once it is in its groups, {"event":"stats",...} every --stats-interval-ms and
 * {"event":"stopped",...} on SIGTERM/SIGINT or after --duration-s.
 */
async function main(options: EstimatorOptions): Promise<void> {
  const { app, httpPort } = await boot(options);
  const estimation = app.get(EstimationService);
  const self = app.get(VsyncProcess).self;
  const { areas, replicas } = options.worker;
  const buses = options.network.busCount;
  print({
    event: 'ready',
    vsync: self.address,
    incarnation: self.incarnation,
    httpPort,
    buses,
    areas,
    replicas,
  });
  const stats = (): Record<string, unknown> => ({ atMs: Date.now(), ...estimation.stats() });
  const s = options.settings;
  if (s.statsIntervalMs > 0)
    setInterval(() => print({ event: 'stats', ...stats() }), s.statsIntervalMs).unref();
  stopOnSignalOrAfter(s.durationS, () => {
    print({ event: 'stopped', ...stats() });
    return app.close();
  });
}

const argv = process.argv.slice(2);
if (ESTIMATOR_SETTINGS.wantsHelp(argv)) {
  process.stdout.write(`${ESTIMATOR_SETTINGS.help()}\n`);
  process.exit(0);
}
let options: EstimatorOptions;
try {
  options = parseEstimatorOptions(argv, process.env);
} catch (error) {
  if (!(error instanceof EstimatorConfigError)) throw error;
  process.stderr.write(`estimator: ${error.message}\n`);
  process.exit(2);
}
main(options).catch((error: unknown) => {
  process.stderr.write(`estimator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ServiceBindError ? 2 : 1);
});

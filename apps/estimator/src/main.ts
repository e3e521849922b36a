import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { VsyncServer } from '@gridcloud/nest-vsync';
import { VsyncProcess } from '@gridcloud/vsync';
import { AppModule } from './app.module';
import { ESTIMATOR_SETTINGS, parseEstimatorOptions, type EstimatorOptions } from './config/estimator-options';
import { EstimatorConfigError } from './errors/estimator-config-error';
import { EstimationService } from './estimation/estimation.service';

/** Human-readable logs go to stderr; stdout carries only the JSON event lines. */
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
 * estimator: a replicated state-estimation worker. Prints {"event":"ready",...}
 * once it is in its groups, {"event":"stats",...} every --stats-interval-ms and
 * {"event":"stopped",...} on SIGTERM/SIGINT or after --duration-s.
 */
async function main(options: EstimatorOptions): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(options), { logger: stderrLogger });
  // Exit 0 once the app closed (groups left, sockets closed), rather than re-raising the signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  app.connectMicroservice({ strategy: app.get(VsyncServer) });
  await app.init();
  await app.startAllMicroservices();
  let httpPort: number | null = null;
  const s = options.settings;
  if (s.httpPort !== null) {
    await app.listen(s.httpPort, s.vsyncHost);
    httpPort = (app.getHttpServer().address() as AddressInfo).port;
  }
  const estimation = app.get(EstimationService);
  const vsync = app.get(VsyncProcess).self;
  const o = options.worker;
  print({
    event: 'ready',
    vsync: vsync.address,
    incarnation: vsync.incarnation,
    httpPort,
    buses: options.network.busCount,
    areas: o.areas,
    replicas: o.replicas,
  });
  const stats = (): Record<string, unknown> => ({ atMs: Date.now(), ...estimation.stats() });
  if (s.statsIntervalMs > 0)
    setInterval(() => print({ event: 'stats', ...stats() }), s.statsIntervalMs).unref();
  // enableShutdownHooks closes the app on SIGTERM/SIGINT; the last line goes out first.
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => print({ event: 'stopped', signal, ...stats() }));
  if (s.durationS > 0) {
    setTimeout(() => {
      print({ event: 'stopped', ...stats() });
      void app.close().then(() => process.exit(0));
    }, s.durationS * 1000).unref();
  }
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
  process.exit(1);
});

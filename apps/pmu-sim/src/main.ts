import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServiceLogger } from '@gridcloud/nest-vsync';
import { stopOnSignalOrAfter } from '@gridcloud/nest-vsync';
import { parseSimSettings, SIM_USAGE } from './config/sim-options';
import { AppModule } from './app/app.module';
import { PmuSimRunner } from './app/pmu-sim-runner';
import { bindingFailure, isStartError } from './app/start-errors';

/**
 * pmu-sim: C37.118 PMU simulator driven by a MATPOWER case, booted through Nest. Prints one JSON line when ready
 * ({"event":"ready","tcpPort":P,"httpPort":H,...}), `stats` lines every --stats-interval-ms, and a final `stopped`
 * line with its counters on SIGTERM/SIGINT or after --duration-s; everything else goes to stderr. Exit 2: a setting
 * or a resource it names cannot be used (one line); 1: a failure at run time.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const settings = parseSimSettings(argv, process.env);
  const logger = new ServiceLogger('pmu-sim', { verbose: process.env.GRIDCLOUD_NEST_VERBOSE === '1' });
  const { vsyncHost, vsyncPort, httpPort } = settings.cluster;
  const module = AppModule.forRoot(settings);
  const options = { logger, abortOnError: false };
  const http = httpPort === null ? undefined : await NestFactory.create(module, options);
  const app = http ?? (await NestFactory.createApplicationContext(module, options));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  // Only the vsync socket is bound raw during init: the simulator's own listeners name their flag already.
  await app
    .init()
    .catch((error: unknown) =>
      Promise.reject(bindingFailure(error, '--vsync-port', `${vsyncHost}:${vsyncPort}`)),
    );
  let boundHttpPort: number | null = null;
  if (http !== undefined) {
    await http
      .listen(httpPort!, vsyncHost)
      .catch((error: unknown) =>
        Promise.reject(bindingFailure(error, '--http-port', `${vsyncHost}:${httpPort}`)),
      );
    boundHttpPort = portOf(http.getHttpServer().address());
  }
  const runner = app.get(PmuSimRunner);
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...runner.ready, httpPort: boundHttpPort })}\n`);
  stopOnSignalOrAfter(settings.cluster.durationS, () => app.close());
}

function portOf(address: unknown): number | null {
  return address !== null && typeof address === 'object' && 'port' in address ? Number(address.port) : null;
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${SIM_USAGE}\n`);
} else {
  main().catch((error: unknown) => {
    const known = isStartError(error);
    process.stderr.write(
      `pmu-sim: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(known ? 2 : 1);
  });
}

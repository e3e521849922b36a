import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { bindingFailure } from './errors/service-bind-error';
import { ServiceLogger } from './service-logger';
import { stopOnSignalOrAfter } from './stop';

/** The cluster settings a service boots with (see libs/command-line's clusterSettings). */
export interface ServiceBoot {
  /** The service's name: prefixes its stderr lines. */
  readonly service: string;
  readonly module: DynamicModule;
  readonly vsyncHost: string;
  readonly vsyncPort: number;
  /** null: no HTTP server (an application context only). */
  readonly httpPort: number | null;
  readonly durationS: number;
  /** false: Nest parses no request body, the app reads bodies itself within its own bounds. Default true. */
  readonly bodyParser?: boolean;
}

export interface BootedService {
  readonly app: INestApplicationContext;
  /** The bound HTTP port of /health and /metrics, or null without HTTP. */
  readonly httpPort: number | null;
}

/**
 * Boots a cluster app the same way everywhere: Nest's log on stderr, shutdown hooks, init (the vsync joins and the
 * app's own start), /health and /metrics on the HTTP port (on the vsync host's interface), and a clean stop on
 * SIGTERM, SIGINT or after durationS. A socket that cannot be bound fails with a ServiceBindError naming the flag.
 * Set GRIDCLOUD_NEST_VERBOSE=1 to see Nest's start-up lines.
 */
export async function bootService(boot: ServiceBoot): Promise<BootedService> {
  const logger = new ServiceLogger(boot.service, { verbose: process.env.GRIDCLOUD_NEST_VERBOSE === '1' });
  // abortOnError false: a failing start reaches the caller, which prints one line and exits 2 or 1.
  const options = { logger, abortOnError: false };
  const http =
    boot.httpPort === null
      ? undefined
      : await NestFactory.create(boot.module, { ...options, bodyParser: boot.bodyParser ?? true });
  const app = http ?? (await NestFactory.createApplicationContext(boot.module, options));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const vsyncAddress = `${boot.vsyncHost}:${boot.vsyncPort}`;
  // The only socket bound raw during init is the vsync process's; the app's own listeners name their flags.
  await app
    .init()
    .catch((error: unknown) => Promise.reject(bindingFailure(error, '--vsync-port', vsyncAddress)));
  let httpPort: number | null = null;
  if (http !== undefined) {
    const httpAddress = `${boot.vsyncHost}:${boot.httpPort}`;
    await http
      .listen(boot.httpPort!, boot.vsyncHost)
      .catch((error: unknown) => Promise.reject(bindingFailure(error, '--http-port', httpAddress)));
    httpPort = portOf(http.getHttpServer().address());
  }
  stopOnSignalOrAfter(boot.durationS, () => app.close());
  return { app, httpPort };
}

function portOf(address: unknown): number | null {
  return address !== null && typeof address === 'object' && 'port' in address ? Number(address.port) : null;
}

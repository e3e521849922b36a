/**
 * supervisor: keeps the cluster at its desired state. A member of the `supervisors` group; the oldest member acts
 * and the others take over when its view shows it gone. It restarts, through the host agents, every instance that
 * exits or leaves its alive group's view, within each service's restart budget. Prints {"event":"ready"},
 * {"event":"role"} on role changes, {"event":"cluster-event",...} for every restart, give-up and configuration
 * error, optional {"event":"stats"} lines and {"event":"stopped"}; human-readable logs go to stderr.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { VsyncServer } from '@gridcloud/nest-vsync';
import { VsyncProcess } from '@gridcloud/vsync';
import { AppModule } from './app.module';
import {
  parseSupervisorOptions,
  SUPERVISOR_SETTINGS,
  type SupervisorOptions,
} from './config/supervisor-options';
import { SupervisorConfigError } from './errors/supervisor-config-error';
import { SupervisorService } from './supervision/supervisor.service';

const stderrLogger: LoggerService = {
  log: () => undefined,
  warn: (m: unknown) => void process.stderr.write(`supervisor warn: ${String(m)}\n`),
  error: (m: unknown) => void process.stderr.write(`supervisor error: ${String(m)}\n`),
};

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(options: SupervisorOptions): Promise<void> {
  // An HTTP application even with --http-port off: it carries the vsync server; it only listens when asked to.
  const app = await NestFactory.create(AppModule.forRoot(options), { logger: stderrLogger });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  app.connectMicroservice({ strategy: app.get(VsyncServer) });
  await app.init();
  await app.startAllMicroservices();
  let httpPort: number | null = null;
  if (options.httpPort !== 'off') {
    await app.listen(options.httpPort, options.vsyncHost);
    httpPort = (app.getHttpServer().address() as AddressInfo).port;
  }
  const supervisor = app.get(SupervisorService);
  const self = app.get(VsyncProcess).self;
  print({
    event: 'ready',
    address: self.address,
    incarnation: self.incarnation,
    httpPort,
    acting: supervisor.acting,
  });
  const stats = (): Record<string, unknown> => ({ atMs: Date.now(), ...supervisor.stats() });
  if (options.statsIntervalMs > 0)
    setInterval(() => print({ event: 'stats', ...stats() }), options.statsIntervalMs).unref();
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => print({ event: 'stopped', signal, ...stats() }));
  if (options.durationS > 0) {
    setTimeout(() => {
      print({ event: 'stopped', ...stats() });
      void app.close().then(() => process.exit(0));
    }, options.durationS * 1000).unref();
  }
}

const argv = process.argv.slice(2);
if (SUPERVISOR_SETTINGS.wantsHelp(argv)) {
  process.stdout.write(`${SUPERVISOR_SETTINGS.help()}\n`);
  process.exit(0);
}
let options: SupervisorOptions;
try {
  options = parseSupervisorOptions(argv, process.env);
} catch (error) {
  if (!(error instanceof SupervisorConfigError)) throw error;
  process.stderr.write(`supervisor: ${error.message}\n`);
  process.exit(2);
}
main(options).catch((error: unknown) => {
  process.stderr.write(`supervisor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { ServiceLogger, stopOnSignalOrAfter, VsyncServer } from '@gridcloud/nest-vsync';
import { VsyncProcess } from '@gridcloud/vsync';
import { AppModule } from './app.module';
import { parseRecorderOptions, type RecorderOptions } from './config/recorder-options';
import { RECORDER_SETTINGS } from './config/recorder-settings';
import { RecorderConfigError } from './errors/recorder-config-error';
import { RecorderService } from './recording/recorder.service';

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * recorder: results, PMU quality, group membership and cluster events into InfluxDB; the snapshots into a Redis
 * recording; replay and export jobs from a BullMQ queue. Prints {"event":"ready",...} once it is in its groups,
 * {"event":"stats",...} every --stats-interval-ms and {"event":"stopped",...} on SIGTERM/SIGINT or after --duration-s.
 */
async function main(options: RecorderOptions): Promise<void> {
  const s = options.settings;
  const logger = new ServiceLogger('recorder', { verbose: process.env.GRIDCLOUD_NEST_VERBOSE === '1' });
  const app = await NestFactory.create(AppModule.forRoot(options), { logger, abortOnError: false });
  // No enableShutdownHooks(): its listener would exit the process as soon as the app closed, racing the last
  // line. stopOnSignalOrAfter handles SIGTERM/SIGINT, and app.close() runs every shutdown hook.
  app.connectMicroservice({ strategy: app.get(VsyncServer) });
  await app.init();
  await app.startAllMicroservices();
  let httpPort: number | null = null;
  if (s.httpPort !== null) {
    await app.listen(s.httpPort, s.vsyncHost);
    httpPort = (app.getHttpServer().address() as AddressInfo).port;
  }
  const recorder = app.get(RecorderService);
  const self = app.get(VsyncProcess).self;
  print({
    event: 'ready',
    vsync: self.address,
    incarnation: self.incarnation,
    httpPort,
    influx:
      options.influx === undefined
        ? null
        : `${options.influx.host}:${options.influx.port}/${options.influx.database}`,
    redis: s.redisUrl !== undefined,
    jobQueue: s.redisUrl !== undefined && options.influx !== undefined ? s.jobQueue : null,
  });
  const stats = (): Record<string, unknown> => ({ atMs: Date.now(), ...recorder.stats() });
  if (s.statsIntervalMs > 0)
    setInterval(() => print({ event: 'stats', ...stats() }), s.statsIntervalMs).unref();
  // The last line is printed once the app closed: the collector flushed and the buffer written (or given up).
  stopOnSignalOrAfter(s.durationS, async () => {
    await app.close();
    print({ event: 'stopped', ...stats() });
  });
}

const argv = process.argv.slice(2);
if (RECORDER_SETTINGS.wantsHelp(argv)) {
  process.stdout.write(`${RECORDER_SETTINGS.help()}\n`);
  process.exit(0);
}
let options: RecorderOptions;
try {
  options = parseRecorderOptions(argv, process.env);
} catch (error) {
  if (!(error instanceof RecorderConfigError)) throw error;
  process.stderr.write(`recorder: ${error.message}\n`);
  process.exit(2);
}
main(options).catch((error: unknown) => {
  process.stderr.write(`recorder: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

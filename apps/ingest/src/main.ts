import 'reflect-metadata';
import { bootService, ServiceBindError, VsyncModuleOptionsError } from '@gridcloud/nest-vsync';
import { AppModule } from './app/app.module';
import { IngestRunner } from './app/ingest-runner';
import { INGEST_USAGE, parseIngestSettings } from './config/ingest-options';
import { IngestConfigError } from './errors/ingest-config-error';
import { ListenError } from './errors/listen-error';

/**
 * ingest: the PDC, booted through Nest. Prints {"event":"ready","udpPort":P,"httpPort":H} when its sources are up,
 * periodic {"event":"stats",...} summary lines (per-PMU detail would be megabytes at thousands of PMUs), and a final
 * {"event":"stopped",...} line with every counter on SIGTERM/SIGINT or after --duration-s; everything else goes to
 * stderr. Exit 2: a setting, or what it names, cannot be used (one line); 1: a failure at run time.
 */
async function main(): Promise<void> {
  const settings = parseIngestSettings(process.argv.slice(2), process.env);
  const { vsyncHost, vsyncPort, httpPort, durationS } = settings.cluster;
  const module = AppModule.forRoot(settings);
  const booted = await bootService({ service: 'ingest', module, vsyncHost, vsyncPort, httpPort, durationS });
  const { ready } = booted.app.get(IngestRunner);
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...ready, httpPort: booted.httpPort })}\n`);
}

const START_ERRORS = [IngestConfigError, ListenError, ServiceBindError, VsyncModuleOptionsError];

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${INGEST_USAGE}\n`);
} else {
  main().catch((error: unknown) => {
    const known = START_ERRORS.some((type) => error instanceof type);
    process.stderr.write(
      `ingest: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(known ? 2 : 1);
  });
}

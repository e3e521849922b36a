import 'reflect-metadata';
import { bootService, ServiceBindError, VsyncModuleOptionsError } from '@gridcloud/nest-vsync';
import { AppModule } from './app/app.module';
import { PmuSimRunner } from './app/pmu-sim-runner';
import { parseSimSettings, SIM_USAGE } from './config/sim-options';
import { CaseFileError } from './errors/case-file-error';
import { ListenError } from './errors/listen-error';
import { SimConfigError } from './errors/sim-config-error';

/**
 * pmu-sim: C37.118 PMU simulator driven by a MATPOWER case, booted through Nest. Prints one JSON line when ready
 * ({"event":"ready","tcpPort":P,...,"httpPort":H}), `stats` lines every --stats-interval-ms, and a final `stopped`
 * line with its counters on SIGTERM/SIGINT or after --duration-s; everything else goes to stderr. Exit 2: a setting,
 * or what it names, cannot be used (one line); 1: a failure at run time.
 */
async function main(): Promise<void> {
  const settings = parseSimSettings(process.argv.slice(2), process.env);
  const { vsyncHost, vsyncPort, httpPort, durationS } = settings.cluster;
  const module = AppModule.forRoot(settings);
  const booted = await bootService({ service: 'pmu-sim', module, vsyncHost, vsyncPort, httpPort, durationS });
  const { ready } = booted.app.get(PmuSimRunner);
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...ready, httpPort: booted.httpPort })}\n`);
}

const START_ERRORS = [SimConfigError, CaseFileError, ListenError, ServiceBindError, VsyncModuleOptionsError];

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${SIM_USAGE}\n`);
} else {
  main().catch((error: unknown) => {
    const known = START_ERRORS.some((type) => error instanceof type);
    process.stderr.write(
      `pmu-sim: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(known ? 2 : 1);
  });
}

import { parseSimSettings, SIM_USAGE } from './config/sim-options';

/**
 * pmu-sim: C37.118 PMU simulator driven by a MATPOWER case, booted through Nest. Prints one JSON line when ready
 * ({"event":"ready","tcpPort":P,...,"httpPort":H}), `stats` lines every --stats-interval-ms, and a final `stopped`
 * line with its counters on SIGTERM/SIGINT or after --duration-s; everything else goes to stderr. Exit 2: a setting,
 * or what it names, cannot be used (one line); 1: a failure at run time.
 */
async function main(): Promise<void> {
  const settings = parseSimSettings(process.argv.slice(2), process.env);
  // Nest loads only once the settings are known to be good, so a bad flag is reported at once.
  const { startPmuSim } = await import('./app/start');
  await startPmuSim(settings);
}

/** Errors meaning a setting, or what it names, cannot be used; by name, so main need not load Nest to know them. */
const START_ERRORS = new Set([
  'SimConfigError',
  'CaseFileError',
  'ListenError',
  'ServiceBindError',
  'VsyncModuleOptionsError',
]);

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${SIM_USAGE}\n`);
} else {
  main().catch((error: unknown) => {
    const known = error instanceof Error && START_ERRORS.has(error.name);
    process.stderr.write(
      `pmu-sim: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(known ? 2 : 1);
  });
}

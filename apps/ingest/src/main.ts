import { INGEST_USAGE, parseIngestSettings } from './config/ingest-options';

/**
 * ingest: the PDC, booted through Nest. Prints {"event":"ready","udpPort":P,"httpPort":H} when its sources are up,
 * periodic {"event":"stats",...} summary lines (per-PMU detail would be megabytes at thousands of PMUs), and a final
 * {"event":"stopped",...} line with every counter on SIGTERM/SIGINT or after --duration-s; everything else goes to
 * stderr. Exit 2: a setting, or what it names, cannot be used (one line); 1: a failure at run time.
 */
async function main(): Promise<void> {
  const settings = parseIngestSettings(process.argv.slice(2), process.env);
  // Nest loads only once the settings are known to be good, so a bad flag is reported at once.
  const { startIngest } = await import('./app/start');
  await startIngest(settings);
}

/** Errors meaning a setting, or what it names, cannot be used; by name, so main need not load Nest to know them. */
const START_ERRORS = new Set([
  'IngestConfigError',
  'ListenError',
  'ServiceBindError',
  'VsyncModuleOptionsError',
]);

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${INGEST_USAGE}\n`);
} else {
  main().catch((error: unknown) => {
    const known = error instanceof Error && START_ERRORS.has(error.name);
    process.stderr.write(
      `ingest: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(known ? 2 : 1);
  });
}

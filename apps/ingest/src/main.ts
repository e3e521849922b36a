import { INGEST_USAGE, parseIngestOptions } from './config/ingest-options';
import { IngestConfigError } from './errors/ingest-config-error';
import { IngestApp } from './runtime/ingest-app';

/**
 * ingest: the PDC. Prints {"event":"ready","udpPort":P} when its sources are
 * up, optional periodic {"event":"stats",...} summary lines (per-PMU detail
 * would be megabytes at thousands of PMUs), and a final
 * {"event":"stopped",...} line with every counter on SIGTERM or after --duration-s.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${INGEST_USAGE}\n`);
    return;
  }
  const app = new IngestApp(parseIngestOptions(argv), (line) => process.stderr.write(`ingest: ${line}\n`));
  const { udpPort } = await app.start();
  process.stdout.write(`${JSON.stringify({ event: 'ready', udpPort })}\n`);
  if (app.options.statsIntervalMs > 0) {
    setInterval(() => process.stdout.write(`${JSON.stringify({ event: 'stats', atMs: Date.now(), cpuMs: cpuMs(), ...app.report('summary') })}\n`), app.options.statsIntervalMs).unref();
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    process.stdout.write(`${JSON.stringify({ event: 'stopped', ...app.report() })}\n`, () => process.exit(0));
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (app.options.durationS > 0) setTimeout(() => void stop(), app.options.durationS * 1000);
}

/** CPU time this process has used, user plus system, in milliseconds: benchmarks turn it into utilisation. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof IngestConfigError) process.stderr.write(`${INGEST_USAGE}\n`);
  process.exit(2);
});

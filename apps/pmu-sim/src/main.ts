import { parseSimOptions, SIM_USAGE } from './config/sim-options';
import { SimConfigError } from './errors/sim-config-error';
import { PmuSimApp } from './runtime/pmu-sim-app';

/**
 * pmu-sim: C37.118 PMU simulator driven by a MATPOWER case. Prints one JSON
 * line when ready ({"event":"ready","tcpPort":P,...}), diagnostics on stderr,
 * and a final JSON line with its counters when it stops.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${SIM_USAGE}\n`);
    return;
  }
  const app = new PmuSimApp(parseSimOptions(argv), (line) => process.stderr.write(`pmu-sim: ${line}\n`));
  const tcpPort = await app.start();
  const streams = app.sim.streams.map((s) => ({ idcode: s.idcode, pmus: s.pmus.map((p) => p.idcode) }));
  process.stdout.write(`${JSON.stringify({ event: 'ready', tcpPort, framesPerSecond: app.sim.options.framesPerSecond, streams })}\n`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    process.stdout.write(`${JSON.stringify({ event: 'stopped', ...app.counters() })}\n`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (app.options.durationS > 0) setTimeout(() => void stop(), app.options.durationS * 1000);
}

main().catch((error: unknown) => {
  const known = error instanceof SimConfigError || (error instanceof Error && /Error$/.test(error.name) && error.name !== 'Error');
  process.stderr.write(`pmu-sim: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  if (error instanceof SimConfigError) process.stderr.write(`${SIM_USAGE}\n`);
  process.exit(2);
});

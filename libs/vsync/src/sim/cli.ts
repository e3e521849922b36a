import { parseSimArguments, SIM_USAGE } from './sim-arguments';
import { runSeeds } from './seed-batch';

/** `npm run sim -- --seeds N [knobs] [--json] [--verbose]`: runs seeded simulations, checks the invariants after each,
 *  prints every failing seed (replay it with --seed S and the same knobs), and ends with one JSON line that names the
 *  invariants checked. */
function main(): number {
  let options: ReturnType<typeof parseSimArguments>;
  try {
    options = parseSimArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${SIM_USAGE}`);
    return 2;
  }
  const summary = runSeeds(options.first, options.seeds, options.knobs, (line) => {
    if (options.verbose || line.startsWith('FAIL') || line.startsWith('  ')) console.log(line);
  });
  if (!options.json)
    console.log(
      `${summary.runs} runs (${summary.safetyOnlyRuns} safety-only), ${summary.failedSeeds.length} failed, ${summary.seconds.toFixed(1)} s`,
    );
  console.log(JSON.stringify(summary));
  return summary.violations > 0 ? 1 : 0;
}

process.exitCode = main();

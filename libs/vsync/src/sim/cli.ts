import { runSeed } from './random-run';

/** `npm run sim -- --seeds N [--nodes 3..7] [--seed S] [--json] [--verbose]`: runs seeded simulations, checks the
 *  invariants after each, prints every failing seed (replay it with --seed S), and ends with one JSON line. */
interface Options {
  seeds: number;
  first: number;
  nodes: number | undefined;
  json: boolean;
  verbose: boolean;
}

function parse(argv: readonly string[]): Options {
  const options: Options = { seeds: 100, first: 1, nodes: undefined, json: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n)) throw new Error(`${arg} needs an integer value, got "${argv[i] ?? ''}"`);
      return n;
    };
    if (arg === '--seeds') options.seeds = value();
    else if (arg === '--seed') {
      options.first = value();
      options.seeds = 1;
    } else if (arg === '--from') options.first = value();
    else if (arg === '--nodes') options.nodes = value();
    else if (arg === '--json') options.json = true;
    else if (arg === '--verbose') options.verbose = true;
    else
      throw new Error(
        `unknown argument "${arg}" (use --seeds N [--nodes 3..7] [--seed S] [--from S] [--json] [--verbose])`,
      );
  }
  if (options.seeds < 1) throw new Error('--seeds must be at least 1');
  if (options.nodes !== undefined && (options.nodes < 3 || options.nodes > 7))
    throw new Error('--nodes must be 3..7');
  return options;
}

/** A simulator crash is reported as a failing seed, like any violation, so one bad seed cannot hide the others. */
function runGuarded(seed: number, nodes: number | undefined): ReturnType<typeof runSeed> {
  try {
    return runSeed(seed, nodes);
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return {
      seed,
      nodes: nodes ?? 0,
      serviceSize: 0,
      violations: [`simulation threw: ${detail}`],
      stats: { sent: 0, delivered: 0, views: 0, faults: [], simulatedMs: 0 },
    };
  }
}

function main(): number {
  let options: Options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error));
    return 2;
  }
  const failedSeeds: number[] = [];
  let violations = 0;
  const started = Date.now();
  for (let seed = options.first; seed < options.first + options.seeds; seed++) {
    const result = runGuarded(seed, options.nodes);
    if (options.verbose)
      console.log(
        `seed ${seed} nodes=${result.nodes} service=${result.serviceSize} ${JSON.stringify(result.stats)}`,
      );
    if (result.violations.length === 0) continue;
    violations += result.violations.length;
    failedSeeds.push(seed);
    console.log(
      `FAIL seed ${seed} (${result.nodes} nodes, membership service ${result.serviceSize}; replay: npm run sim -- --seed ${seed}${options.nodes ? ` --nodes ${options.nodes}` : ''})`,
    );
    console.log(`  faults: ${result.stats.faults.join('; ')}`);
    for (const v of result.violations.slice(0, 10)) console.log(`  ${v}`);
  }
  const seconds = (Date.now() - started) / 1000;
  if (!options.json)
    console.log(`${options.seeds} runs, ${failedSeeds.length} failed, ${seconds.toFixed(1)} s`);
  console.log(JSON.stringify({ runs: options.seeds, violations, failedSeeds }));
  return violations > 0 ? 1 : 0;
}

process.exitCode = main();

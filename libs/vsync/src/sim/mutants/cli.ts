import { checkMutant, plansForAllBugs } from './mutation-check';

/** `npm run sim:mutants -- [--json] [--seeds N] [--from S] [--only bug,...]`: plants each protocol bug in turn and
 *  runs the simulator until its invariants catch it. Ends with {"mutants":N,"caught":N,"missed":[...]}; exit 1 if any
 *  mutant was missed, 2 on bad arguments. */
interface Options {
  json: boolean;
  seeds: number;
  from: number;
  only: readonly string[] | null;
}

const USAGE =
  'usage: npm run sim:mutants -- [--json] [--seeds N (per mutant, default 60)] [--from S] [--only bug,...]';

function parse(argv: readonly string[]): Options {
  const options: Options = { json: false, seeds: 60, from: 1, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const int = (): number => {
      const text = argv[++i] ?? '';
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer, got "${text}"`);
      return n;
    };
    if (arg === '--json') options.json = true;
    else if (arg === '--seeds') options.seeds = int();
    else if (arg === '--from') options.from = int();
    else if (arg === '--only') options.only = (argv[++i] ?? '').split(',').filter((s) => s.length > 0);
    else throw new Error(`unknown argument "${arg}"`);
  }
  return options;
}

function main(): number {
  let options: Options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const plans = plansForAllBugs().filter((p) => !options.only || options.only.includes(p.bug));
  if (options.only && plans.length !== options.only.length) {
    console.error(
      `--only names an unknown bug (known: ${plansForAllBugs()
        .map((p) => p.bug)
        .join(', ')})`,
    );
    return 2;
  }
  const outcomes = plans.map((plan) => {
    const outcome = checkMutant(plan, options.from, options.seeds);
    if (!options.json)
      console.log(
        outcome.caught
          ? `caught ${plan.bug} (${plan.breaks}) at seed ${outcome.seed}: ${outcome.violation}`
          : `MISSED ${plan.bug} (${plan.breaks}) in ${outcome.seedsRun} seeds`,
      );
    return outcome;
  });
  const missed = outcomes.filter((o) => !o.caught).map((o) => o.bug);
  const caughtBy = Object.fromEntries(
    outcomes.filter((o) => o.caught).map((o) => [o.bug, { seed: o.seed, violation: o.violation }]),
  );
  console.log(
    JSON.stringify({ mutants: outcomes.length, caught: outcomes.length - missed.length, missed, caughtBy }),
  );
  return missed.length > 0 ? 1 : 0;
}

process.exitCode = main();

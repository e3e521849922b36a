import type { FaultKnobs } from './random-run';

export interface SimArguments {
  readonly seeds: number;
  readonly first: number;
  readonly knobs: FaultKnobs;
  readonly json: boolean;
  readonly verbose: boolean;
}

export const SIM_USAGE = `usage: npm run sim -- [--seeds N] [--seed S | --from S] [--json] [--verbose]
  fault knobs (each fixes what the seed would choose):
  --nodes 2..7  --service 1..9  --groups 1..6  --loss 0..1  --dup 0..1  --jitter-ms 0..1000
  --crash-budget 0..20 (faults injected)  --payload-bytes 0..2048 (largest multicast)  --large-share 0..1
  --partitions on|off  --pauses on|off  --safety-only-share 0..1 (runs with an even service split or a service majority loss)
  --query-share 0..1 (share of the workload's actions that are queries)
  --secure-share 0..1 (share of runs with a secured group and a keyless or wrong-key intruder)`;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Numeric knobs: flag, field, smallest and largest value, whether it must be an integer. */
const NUMERIC: readonly [string, keyof FaultKnobs, number, number, boolean][] = [
  ['--nodes', 'nodes', 2, 7, true],
  ['--service', 'serviceSize', 1, 9, true],
  ['--groups', 'groups', 1, 6, true],
  ['--loss', 'lossRate', 0, 1, false],
  ['--dup', 'duplicateRate', 0, 1, false],
  ['--jitter-ms', 'jitterMs', 0, 1_000, false],
  ['--crash-budget', 'crashBudget', 0, 20, true],
  ['--payload-bytes', 'maxPayloadBytes', 0, 2_048, true],
  ['--large-share', 'largePayloadShare', 0, 1, false],
  ['--safety-only-share', 'safetyOnlyShare', 0, 1, false],
  ['--query-share', 'queryShare', 0, 1, false],
  ['--secure-share', 'secureShare', 0, 1, false],
];

/** Parses the simulator's arguments; throws an Error naming the flag and what was wrong. */
export function parseSimArguments(argv: readonly string[]): SimArguments {
  const knobs: Mutable<FaultKnobs> = {};
  let seeds = 100;
  let first = 1;
  let json = false;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const raw = (): string => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    const numeric = NUMERIC.find(([flag]) => flag === arg);
    if (numeric) (knobs as Record<string, number>)[numeric[1]] = numberIn(arg, raw(), numeric);
    else if (arg === '--partitions' || arg === '--pauses')
      knobs[arg === '--pauses' ? 'pauses' : 'partitions'] = onOff(arg, raw());
    else if (arg === '--seeds') seeds = numberIn(arg, raw(), [arg, 'nodes', 1, 1e9, true]);
    else if (arg === '--seed' || arg === '--from') {
      first = numberIn(arg, raw(), [arg, 'nodes', 0, Number.MAX_SAFE_INTEGER, true]);
      if (arg === '--seed') seeds = 1;
    } else if (arg === '--json') json = true;
    else if (arg === '--verbose') verbose = true;
    else throw new Error(`unknown argument "${arg}"`);
  }
  return { seeds, first, knobs, json, verbose };
}

function numberIn(flag: string, text: string, [, , min, max, integer]: (typeof NUMERIC)[number]): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max)
    throw new Error(
      `${flag} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got "${text}"`,
    );
  return n;
}

function onOff(flag: string, text: string): boolean {
  if (text !== 'on' && text !== 'off') throw new Error(`${flag} must be on or off, got "${text}"`);
  return text === 'on';
}

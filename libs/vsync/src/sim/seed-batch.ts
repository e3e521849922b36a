import { INVARIANT_NAMES } from './invariants';
import { SECURE_INVARIANT_NAME } from './secure-groups';
import { type FaultKnobs, type RunResult, runSeed } from './random-run';
import { DICTIONARY_INVARIANTS, runDictionarySeed } from './dictionary/dictionary-run';
import { DHT_INVARIANTS, runDhtSeed } from './dht/dht-run';
import { runSafeSeed, SAFE_INVARIANTS } from './safe-run';

export interface BatchSummary {
  readonly runs: number;
  readonly safetyOnlyRuns: number;
  readonly violations: number;
  readonly failedSeeds: readonly number[];
  readonly invariants: readonly string[];
  readonly knobs: FaultKnobs;
  readonly maxInFlightMessages: number;
  readonly seconds: number;
}

/** A simulator crash is reported as a failing seed, like any violation, so one bad seed cannot hide the others. */
export function runGuarded(seed: number, knobs: FaultKnobs): RunResult {
  try {
    const result = runSeed(seed, knobs);
    // Each seed also runs the replicated dictionary with state transfer (its own faults; the knobs do not apply).
    const dictionary = runDictionarySeed(seed).violations.map((v) => `dictionary: ${v}`);
    // And the DHT sharded over a group (its own faults too).
    const dht = runDhtSeed(seed).violations;
    // And safeSend in logged mode, through minority crashes and a crash of the whole group (its own faults too).
    const safe = runSafeSeed(seed).violations;
    const extra = [...dictionary, ...dht, ...safe];
    return extra.length === 0 ? result : { ...result, violations: [...result.violations, ...extra] };
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const stats = { sent: 0, delivered: 0, views: 0, faults: [], simulatedMs: 0, maxInFlightMessages: 0 };
    return {
      seed,
      nodes: knobs.nodes ?? 0,
      serviceSize: 0,
      violations: [`simulation threw: ${detail}`],
      safetyOnly: false,
      stats,
    };
  }
}

/** Runs `count` seeds from `first`, reporting each failing one (with its replay command) through `print`. */
export function runSeeds(
  first: number,
  count: number,
  knobs: FaultKnobs,
  print: (line: string) => void,
): BatchSummary {
  const failedSeeds: number[] = [];
  let violations = 0;
  let safetyOnlyRuns = 0;
  let maxInFlightMessages = 0;
  const started = Date.now();
  for (let seed = first; seed < first + count; seed++) {
    const result = runGuarded(seed, knobs);
    if (result.safetyOnly) safetyOnlyRuns++;
    maxInFlightMessages = Math.max(maxInFlightMessages, result.stats.maxInFlightMessages);
    print(`seed ${seed} nodes=${result.nodes} service=${result.serviceSize} ${JSON.stringify(result.stats)}`);
    if (result.violations.length === 0) continue;
    violations += result.violations.length;
    failedSeeds.push(seed);
    print(
      `FAIL seed ${seed} (${result.nodes} nodes, membership service ${result.serviceSize}; replay: npm run sim -- --seed ${seed}${knobArguments(knobs)})`,
    );
    print(`  faults: ${result.stats.faults.join('; ')}`);
    for (const v of result.violations.slice(0, 10)) print(`  ${v}`);
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    runs: count,
    safetyOnlyRuns,
    violations,
    failedSeeds,
    invariants: [
      ...INVARIANT_NAMES,
      SECURE_INVARIANT_NAME,
      ...DICTIONARY_INVARIANTS,
      ...DHT_INVARIANTS,
      ...SAFE_INVARIANTS,
    ],
    knobs,
    maxInFlightMessages,
    seconds,
  };
}

const FLAGS: Record<keyof FaultKnobs, string> = {
  nodes: '--nodes',
  serviceSize: '--service',
  groups: '--groups',
  lossRate: '--loss',
  duplicateRate: '--dup',
  jitterMs: '--jitter-ms',
  partitions: '--partitions',
  pauses: '--pauses',
  crashBudget: '--crash-budget',
  maxPayloadBytes: '--payload-bytes',
  largePayloadShare: '--large-share',
  safetyOnlyShare: '--safety-only-share',
  queryShare: '--query-share',
  secureShare: '--secure-share',
};

function knobArguments(knobs: FaultKnobs): string {
  return Object.entries(knobs)
    .map(([k, v]) => ` ${FLAGS[k as keyof FaultKnobs]} ${typeof v === 'boolean' ? (v ? 'on' : 'off') : v}`)
    .join('');
}

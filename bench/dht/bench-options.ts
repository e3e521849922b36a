export interface BenchOptions {
  readonly json: boolean;
  /** Measured seconds per phase (after one warm-up second; default 2). */
  readonly seconds: number;
  /** Calls in flight at once from the client process. */
  readonly concurrency: number;
  /** Keys per call (multi-key put/get; Redis MSET/MGET). */
  readonly batch: number;
  readonly valueBytes: number;
  /** Rounds of the four phases (dht put, redis put, dht get, redis get); medians are reported. */
  readonly rounds: number;
}

export const BENCH_USAGE =
  'usage: npm run -s bench:dht -- [--json] [--seconds 3] [--concurrency 16] [--batch 64] [--value-bytes 100] [--rounds 3]';

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const options = { json: false, seconds: 2, concurrency: 16, batch: 64, valueBytes: 100, rounds: 3 };
  const numeric: Record<string, keyof typeof options> = {
    '--seconds': 'seconds',
    '--concurrency': 'concurrency',
    '--batch': 'batch',
    '--value-bytes': 'valueBytes',
    '--rounds': 'rounds',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') {
      options.json = true;
      continue;
    }
    const name = numeric[arg];
    const value = Number(argv[++i]);
    if (name === undefined) throw new Error(`unknown argument "${arg}"\n${BENCH_USAGE}`);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${arg} needs a positive integer, got "${argv[i]}"\n${BENCH_USAGE}`);
    (options[name] as number) = value;
  }
  return options;
}

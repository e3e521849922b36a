export interface BenchOptions {
  readonly json: boolean;
  /** Measured seconds per phase (after one warm-up second). */
  readonly seconds: number;
  /** Calls in flight at once from the client process. */
  readonly concurrency: number;
  /** Keys per call (multi-key put/get; Redis MSET/MGET). */
  readonly batch: number;
  readonly valueBytes: number;
}

export const BENCH_USAGE =
  'usage: npm run -s bench:dht -- [--json] [--seconds 3] [--concurrency 16] [--batch 64] [--value-bytes 100]';

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const options = { json: false, seconds: 3, concurrency: 16, batch: 64, valueBytes: 100 };
  const numeric: Record<string, keyof typeof options> = {
    '--seconds': 'seconds',
    '--concurrency': 'concurrency',
    '--batch': 'batch',
    '--value-bytes': 'valueBytes',
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

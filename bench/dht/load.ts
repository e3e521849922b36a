import { performance } from 'node:perf_hooks';

export interface OpsRate {
  readonly opsPerSec: number;
}

export interface Load {
  readonly seconds: number;
  readonly concurrency: number;
  readonly batch: number;
  readonly valueBytes: number;
  readonly keySpace: number;
}

const WARMUP_MS = 1_000;

/** `concurrency` workers each issue one call of `batch` random keys at a time for a warm-up second and then
 *  `seconds`; the rate counts the keys of the calls completed in the measured part. */
export async function runPhase(
  load: Load,
  call: (keys: string[], value: string) => Promise<unknown>,
): Promise<OpsRate> {
  const value = 'v'.repeat(load.valueBytes);
  let counted = 0;
  let measuring = false;
  const start = performance.now();
  const end = start + WARMUP_MS + load.seconds * 1_000;
  let measuredFrom = 0;
  const worker = async (w: number): Promise<void> => {
    let n = w;
    while (performance.now() < end) {
      const keys = Array.from(
        { length: load.batch },
        () => `key:${(n = (n * 1_103_515_245 + 12_345) >>> 0) % load.keySpace}`,
      );
      await call(keys, value);
      if (!measuring && performance.now() - start >= WARMUP_MS) {
        measuring = true;
        measuredFrom = performance.now();
      } else if (measuring) counted += keys.length;
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, (_, w) => worker(w + 1)));
  const seconds = (performance.now() - measuredFrom) / 1_000;
  return { opsPerSec: Math.round(counted / seconds) };
}

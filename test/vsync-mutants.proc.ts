import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Seeds each planted bug may take before it counts as missed, and the wall-clock budget of the whole check.
const SEEDS_PER_MUTANT = 60;
const MUTANTS_TIMEOUT_MS = 15 * 60_000;

describe('vsync mutation check', () => {
  it(
    `the simulator catches every planted protocol bug within ${SEEDS_PER_MUTANT} seeds (sim:mutants)`,
    () => {
      const run = spawnSync(
        'npx',
        ['tsx', 'libs/vsync/src/sim/mutants/cli.ts', '--json', '--seeds', String(SEEDS_PER_MUTANT)],
        { encoding: 'utf8', timeout: MUTANTS_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      );
      const lines = run.stdout.trim().split('\n');
      const summary = JSON.parse(lines[lines.length - 1]!) as {
        mutants: number;
        caught: number;
        missed: string[];
      };
      expect(summary.mutants).toBeGreaterThanOrEqual(10);
      // A missed mutant is named here: the invariant that should have caught it has a hole.
      expect(summary.missed).toEqual([]);
      expect(summary.caught).toBe(summary.mutants);
      expect(run.status).toBe(0);
    },
    MUTANTS_TIMEOUT_MS,
  );
});

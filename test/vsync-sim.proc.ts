import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The seed count CI runs through the deterministic simulator on every change.
const CI_SEEDS = 500;
const SIM_TIMEOUT_MS = 20 * 60_000;

describe('vsync deterministic simulator', () => {
  it(
    `finds no invariant violation in ${CI_SEEDS} seeded fault runs (npm run sim)`,
    () => {
      const run = spawnSync('npm', ['run', '-s', 'sim', '--', '--seeds', String(CI_SEEDS), '--json'], {
        encoding: 'utf8',
        timeout: SIM_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      });
      const lines = run.stdout.trim().split('\n');
      const summary = JSON.parse(lines[lines.length - 1]!) as {
        runs: number;
        violations: number;
        failedSeeds: number[];
      };
      expect(summary.runs).toBe(CI_SEEDS);
      // On failure the seeds are in the message so the run can be replayed with --seed S.
      expect({ violations: summary.violations, failedSeeds: summary.failedSeeds }).toEqual({
        violations: 0,
        failedSeeds: [],
      });
      expect(run.status).toBe(0);
    },
    SIM_TIMEOUT_MS,
  );
});

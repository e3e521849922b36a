import { execFileSync } from 'node:child_process';

/** The project's venv Python (created by scripts/python-env if needed), for the Python peers of tests. */
let cached: string | undefined;

export function projectPython(): string {
  cached ??= execFileSync('bash', ['scripts/python-env'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop() as string;
  return cached;
}

/** Waits until `condition` holds, polling; throws with `what` after timeoutMs. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A Python peer process (pypmu) for interoperability tests: JSON lines on
 * stdout are collected, and `next` waits for a line matching a predicate.
 */
export class PythonPeer {
  readonly lines: Record<string, unknown>[] = [];
  readonly stderr: string[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr.on('data', (b: Buffer) => this.stderr.push(b.toString()));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        for (const w of this.waiters.splice(0)) w();
        resolve(code);
      }),
    );
  }

  /** Starts `script` with the project's venv Python (created by scripts/python-env if needed). */
  static start(script: string, args: string[]): PythonPeer {
    // Own process group: pypmu forks a handler process per connection, and
    // stopping must take those down too.
    return new PythonPeer(spawn(projectPython(), [script, ...args], { cwd: process.cwd(), detached: true }));
  }

  async next(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(predicate);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `pypmu peer: no ${what} (exit ${this.child.exitCode}); stderr: ${this.stderr.join('').slice(-2000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(10, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Kills the peer and every process it forked (its process group). */
  stop(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  }
}

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

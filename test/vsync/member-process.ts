import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** One line a member program printed. */
export type MemberEvent = { readonly event: string } & Record<string, unknown>;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bounds the log of one member so a runaway child cannot exhaust the test's memory. */
const MAX_EVENTS = 1_000_000;

/**
 * A member program running as a child OS process: it records every event the child prints and lets the test
 * wait for a condition over them. The test's own timeout bounds every wait.
 */
export class MemberProcess {
  readonly events: MemberEvent[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private exited = false;

  constructor(
    readonly name: string,
    program: string,
    options: Record<string, unknown>,
    /** A command the member runs under, e.g. `['ip', 'netns', 'exec', 'ns1']`; it must exec node in place. */
    launcher: readonly string[] = [],
    /** Flags for node before the program (e.g. HIGH_RATE_NODE_FLAGS). */
    nodeFlags: readonly string[] = [],
  ) {
    // VSYNC_NODE_ARGS passes extra node flags to every member, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = (process.env.VSYNC_NODE_ARGS ?? '').split(' ').filter((arg) => arg.length > 0);
    const node = [
      process.execPath,
      ...nodeFlags,
      ...nodeArgs,
      '--import',
      'tsx',
      program,
      JSON.stringify({ name, ...options }),
    ];
    const [command, ...args] = [...launcher, ...node];
    this.child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: this.child.stderr! }).on(
      'line',
      (line) => this.stderr.length < 1_000 && this.stderr.push(line),
    );
    this.child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  command(command: Record<string, unknown>): void {
    if (!this.exited) this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** Resolves with the first event (in print order) from index `from` on that matches, waiting for it if needed. */
  async next(predicate: (event: MemberEvent) => boolean, from = 0): Promise<MemberEvent> {
    let found: MemberEvent | undefined;
    const search = (): MemberEvent | undefined => {
      for (let i = from; i < this.events.length; i++) if (predicate(this.events[i])) return this.events[i];
      return undefined;
    };
    await this.until(() => (found = search()) !== undefined);
    return found!;
  }

  /** Waits until a condition over this member's events holds; fails if the child exits first. */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) {
          this.waiters.delete(check);
          resolve();
        } else if (this.exited) {
          this.waiters.delete(check);
          reject(new Error(`member ${this.name} exited; stderr:\n${this.stderr.slice(-20).join('\n')}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(signal);
  }

  /** Waits for the child to exit, killing it if it has not after graceMs. */
  async stop(graceMs: number): Promise<void> {
    if (this.exited) return;
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await new Promise<void>((resolve) =>
      this.exited ? resolve() : this.child.once('exit', () => resolve()),
    );
    clearTimeout(timer);
  }

  private onLine(line: string): void {
    if (this.events.length >= MAX_EVENTS) return;
    try {
      this.events.push(JSON.parse(line) as MemberEvent);
    } catch {
      this.stderr.push(`stdout: ${line}`);
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

/**
 * A real OS process running a TypeScript entry under tsx, with its stdout
 * read as JSON lines. For cross-process tests and benchmarks.
 */
export class NodeProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  stderr = '';
  private readonly waiters: {
    test: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  private readonly exited: Promise<number | null>;

  /** Runs `entry` under tsx, or `commandLine` (executable first) when given, such as a Python peer. */
  constructor(entry: string, args: readonly string[], cwd = process.cwd(), commandLine?: readonly string[]) {
    const [exe, ...argv] = commandLine ?? [process.execPath, '--import', 'tsx', entry, ...args];
    // Its own process group, so that stopping it also stops whatever it forked
    // (pypmu's PMU forks a sender process per client, which would outlive it).
    this.child = spawn(exe, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    readline.createInterface({ input: this.child.stdout! }).on('line', (text) => this.onLine(text));
    this.child.stderr!.on('data', (d: Buffer) => {
      // Bounded: a test keeps the tail of the diagnostics only.
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The first JSON line (already seen or future) matching `test`; rejects if the process exits first. */
  waitFor(test: (l: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ test, resolve });
      void this.exited.then((code) =>
        reject(new Error(`process exited (code ${code}) before ${what}; stderr:\n${this.stderr}`)),
      );
    });
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    this.signalGroup('SIGTERM');
    return this.exited;
  }

  /** SIGKILL to the process and everything in its process group. */
  kill(): void {
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private onLine(text: string): void {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (line.event === 'snapshot') return;
    this.lines.push(line);
    for (let i = this.waiters.length - 1; i >= 0; i -= 1) {
      if (this.waiters[i].test(line)) this.waiters.splice(i, 1)[0].resolve(line);
    }
  }
}

export const PMU_SIM_ENTRY = 'apps/pmu-sim/src/main.ts';
export const INGEST_ENTRY = 'apps/ingest/src/main.ts';

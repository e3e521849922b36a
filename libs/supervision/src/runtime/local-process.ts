import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The project root: TypeScript entries are resolved and run from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const TSX_LOADER = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

export type JsonLine = Record<string, unknown>;

export interface LocalProcessOptions {
  readonly cwd?: string;
  /** Added to the environment it inherits. */
  readonly env?: Readonly<Record<string, string>>;
  /** Leave out the inherited GRIDCLOUD_* variables, so the launcher's own settings do not leak into the child's. */
  readonly withoutInheritedSettings?: boolean;
  /** JSON lines kept for `lines` and `waitFor`; older ones are dropped (listeners still see every line). */
  readonly maxKeptLines?: number;
  /** 'pipe' keeps the child's stdin open (a peer that serves until its stdin closes); default 'ignore'. */
  readonly stdin?: 'pipe' | 'ignore';
  /** Characters of stderr kept for diagnostics (the tail). */
  readonly maxStderrChars?: number;
  /** For `tsx`: flags for node itself, before the loader and the entry. */
  readonly nodeFlags?: readonly string[];
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const DEFAULT_MAX_KEPT_LINES = 100_000;
const DEFAULT_MAX_STDERR_CHARS = 20_000;
const DEFAULT_STOP_GRACE_MS = 5000;

/**
 * A local OS process in a process group of its own, so stopping it also stops whatever it forked (pypmu forks a
 * sender per client; tsx runs the entry in a child). Its stdout is read as JSON lines (other lines are ignored);
 * the tail of its stderr is kept for the message when it fails. Used by the host agent and by cross-process tests.
 */
export class LocalProcess {
  readonly child: ChildProcess;
  readonly lines: JsonLine[] = [];
  stderr = '';
  /** Resolves with the exit code when the process has exited. */
  readonly exited: Promise<number | null>;
  readonly exit: Promise<ProcessExit>;
  private readonly lineListeners: Array<(line: JsonLine) => void> = [];
  private readonly waiters = new Set<{ test: (l: JsonLine) => boolean; resolve: (l: JsonLine) => void }>();
  private readonly maxKeptLines: number;
  private readonly maxStderrChars: number;

  /** Runs `commandLine` (executable first). */
  static spawn(commandLine: readonly string[], options: LocalProcessOptions = {}): LocalProcess {
    return new LocalProcess(commandLine, options);
  }

  /** Runs a TypeScript entry (relative to the project root, or absolute) with node and tsx. */
  static tsx(entry: string, args: readonly string[], options: LocalProcessOptions = {}): LocalProcess {
    const file = path.resolve(PROJECT_ROOT, entry);
    const nodeFlags = options.nodeFlags ?? [];
    return new LocalProcess([process.execPath, ...nodeFlags, '--import', TSX_LOADER, file, ...args], {
      cwd: PROJECT_ROOT,
      ...options,
      env: { TSX_TSCONFIG_PATH: path.join(PROJECT_ROOT, 'tsconfig.json'), ...options.env },
    });
  }

  private constructor(commandLine: readonly string[], options: LocalProcessOptions) {
    if (commandLine.length === 0) throw new Error('LocalProcess: the command line is empty');
    this.maxKeptLines = options.maxKeptLines ?? DEFAULT_MAX_KEPT_LINES;
    this.maxStderrChars = options.maxStderrChars ?? DEFAULT_MAX_STDERR_CHARS;
    const [exe, ...argv] = commandLine;
    this.child = spawn(exe, argv, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...inherited(options.withoutInheritedSettings === true), ...options.env },
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    readline.createInterface({ input: this.child.stdout! }).on('line', (text) => this.receive(text));
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-this.maxStderrChars);
    });
    this.exit = new Promise((resolve) => {
      // 'error' (e.g. no such executable) comes without 'exit'; report it as a failed start.
      this.child.once('error', (error) => {
        this.stderr += `${error.message}\n`;
        resolve({ code: 127, signal: null });
      });
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.exited = this.exit.then((e) => e.code);
    void this.exit.then(() => this.waiters.clear());
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last non-empty line written on stderr: a configuration error names its cause there. */
  get lastStderrLine(): string {
    const lines = this.stderr.split('\n').filter((l) => l.trim().length > 0);
    return lines.at(-1) ?? '';
  }

  /** Called with every JSON line from now on. */
  onLine(listener: (line: JsonLine) => void): this {
    this.lineListeners.push(listener);
    return this;
  }

  /** The first kept JSON line (already seen or future) matching `test`; rejects if the process exits first. */
  waitFor(test: (l: JsonLine) => boolean, what: string, timeoutMs = 120_000): Promise<JsonLine> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (l: JsonLine) => finish(() => resolve(l)) };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))),
        timeoutMs,
      );
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        settle();
      };
      this.waiters.add(waiter);
      void this.exit.then((e) =>
        finish(() =>
          reject(
            new Error(
              `process exited (code ${e.code}, signal ${e.signal}) before ${what}; stderr:\n${this.stderr}`,
            ),
          ),
        ),
      );
    });
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<number | null> {
    if (!this.running) return this.exited;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    // Whatever it forked and left behind goes with it.
    this.signalGroup('SIGKILL');
    return code;
  }

  /** SIGKILL to the process and everything in its process group. */
  kill(): void {
    this.signalGroup('SIGKILL');
  }

  /** Sends `signal` to the process group. */
  signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  private receive(text: string): void {
    if (!text.startsWith('{')) return;
    let line: JsonLine;
    try {
      line = JSON.parse(text) as JsonLine;
    } catch {
      return;
    }
    this.lines.push(line);
    if (this.lines.length > this.maxKeptLines) this.lines.splice(0, this.lines.length - this.maxKeptLines);
    for (const listener of this.lineListeners) listener(line);
    for (const w of [...this.waiters]) if (w.test(line)) w.resolve(line);
  }
}

function inherited(withoutSettings: boolean): NodeJS.ProcessEnv {
  if (!withoutSettings) return process.env;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GRIDCLOUD_')));
}

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TSX_LOADER = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
/** Lines of a role's stderr kept for the message when it fails. */
const STDERR_TAIL_CHARS = 4000;

export type RoleLine = Record<string, unknown>;

export interface RoleEvents {
  line(role: RoleProcess, line: RoleLine): void;
  /** The process ended without being asked to stop. */
  crashed(role: RoleProcess, code: number | null, signal: NodeJS.Signals | null, stderrTail: string): void;
}

/**
 * One role of the cluster (pmu-sim, ingest, ...) as its own OS process running
 * a TypeScript entry; its stdout is read as JSON lines. The role can be
 * started again after a crash with the same arguments.
 */
export class RoleProcess {
  restarts = 0;
  private child: ChildProcess | undefined;
  private stopping = false;
  private stderrTail = '';

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly args: readonly string[],
    private readonly events: RoleEvents,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    this.stderrTail = '';
    const child = spawn(
      process.execPath,
      ['--import', TSX_LOADER, path.join(ROOT, this.entry), ...this.args],
      {
        cwd: ROOT,
        env: { ...process.env, TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    readline.createInterface({ input: child.stdout! }).on('line', (text) => this.onLine(text));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.stopping) this.events.crashed(this, code, signal, this.stderrTail);
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private onLine(text: string): void {
    if (!text.startsWith('{')) return;
    try {
      this.events.line(this, JSON.parse(text) as RoleLine);
    } catch {
      // A role's non-JSON output is diagnostics, not events.
    }
  }
}

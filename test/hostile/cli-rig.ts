/**
 * Runs the real `bin/gridcloud` as an attacker would: inputs written into a
 * FIFO it opens by name (so an input can be endless), its peak RSS read from
 * /proc while it runs, and the process killed if it passes a ceiling, so a
 * regression fails the test instead of taking the machine's memory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, createWriteStream, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
/** Far above what a bounded run needs (about 300 MB) and far below what an unbounded one reaches. */
export const RSS_CEILING_BYTES = 1024 * 1024 * 1024;
const RUN_DEADLINE_MS = 90_000;

export interface HostileRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssBytes: number;
  killedForMemory: boolean;
  /** Bytes the attacker managed to write before the process stopped reading. */
  fedBytes: number;
}

/** Peak RSS (VmHWM) of a live process, or 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/** A FIFO the attacker writes into: the CLI opens it by name as it would a file. */
function fifo(dir: string): string {
  const file = join(dir, `fifo-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [file]);
  return file;
}

/** What an attacker writes into the FIFO named `@fifo` in the arguments. */
export interface Feed {
  /** Written once first. */
  readonly head?: Buffer;
  /** Written over and over (with backpressure) until the process exits or `totalBytes` were written. */
  readonly chunk: Buffer;
  /** Close the FIFO after this many bytes (the end of a long input); endless when absent. */
  readonly totalBytes?: number;
}

/** Runs `bin/gridcloud args` in `dir`'s company, watching its peak RSS; `feed` goes into the FIFO named `@fifo`. */
export function runHostile(dir: string, args: string[], feed?: Feed): Promise<HostileRun> {
  const chunk = feed?.chunk;
  const head = feed?.head ?? Buffer.alloc(0);
  const pipe = feed === undefined ? undefined : fifo(dir);
  const argv = args.map((a) => (a === '@fifo' ? (pipe as string) : a));
  return new Promise((done) => {
    const child = spawn(join(ROOT, 'bin/gridcloud'), argv, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: HostileRun = {
      code: null,
      stdout: '',
      stderr: '',
      peakRssBytes: 0,
      killedForMemory: false,
      fedBytes: 0,
    };
    child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
    const watch = setInterval(() => {
      run.peakRssBytes = Math.max(run.peakRssBytes, peakRss(child.pid as number));
      if (run.peakRssBytes > RSS_CEILING_BYTES) {
        run.killedForMemory = true;
        child.kill('SIGKILL');
      }
    }, 50);
    const deadline = setTimeout(() => child.kill('SIGKILL'), RUN_DEADLINE_MS);
    const writer = pipe === undefined ? undefined : createWriteStream(pipe);
    let open = writer !== undefined;
    writer?.on('error', () => (open = false));
    const pump = (): void => {
      while (open && writer !== undefined && chunk !== undefined) {
        if (feed?.totalBytes !== undefined && run.fedBytes >= feed.totalBytes) {
          writer.end();
          return;
        }
        run.fedBytes += chunk.length;
        if (!writer.write(chunk)) {
          writer.once('drain', pump);
          return;
        }
      }
    };
    writer?.once('open', () => {
      writer.write(head);
      pump();
    });
    child.on('exit', (code) => {
      open = false;
      clearInterval(watch);
      clearTimeout(deadline);
      // A writer still waiting for a reader to open the FIFO is released by one that opens and closes it.
      if (pipe !== undefined) closeSync(openSync(pipe, constants.O_RDONLY | constants.O_NONBLOCK));
      writer?.destroy();
      run.code = code;
      done(run);
    });
  });
}

/** The figures a reader of the test log wants: how much was fed and how much memory it cost. */
export function report(run: HostileRun): void {
  const mb = (n: number): string => (n / 1048576).toFixed(0);
  process.stderr.write(`fed ${mb(run.fedBytes)} MB, peak RSS ${mb(run.peakRssBytes)} MB\n`);
}

/** Repeats `line` (newline added) into a chunk of about 64 KiB. */
export function chunkOf(line: string): Buffer {
  return Buffer.from(`${line}\n`.repeat(Math.ceil(65536 / (line.length + 1))));
}

/** The one line a bad input must produce: no stack trace, no usage text. */
export function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return lines[0];
}

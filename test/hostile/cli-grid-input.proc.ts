/**
 * Hostile inputs to the grid commands of the real `bin/gridcloud`, as an
 * attacker would feed them: endless matrices and CSVs on a pipe, a line
 * without end, non-finite values and bus numbers past the supported range.
 * Each run is a real OS process; its peak RSS is read from /proc while it runs
 * (and the process is killed if it passes the ceiling, so a regression fails
 * here instead of taking the machine's memory).
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CASE14 = resolve(ROOT, '../shared/cases/case14.m');
const dir = mkdtempSync(join(tmpdir(), 'hostile-cli-'));
const at = (name: string): string => join(dir, name);
/** Far above what a bounded run needs (about 300 MB) and far below what an unbounded one reaches. */
const RSS_CEILING_BYTES = 1024 * 1024 * 1024;
const RUN_DEADLINE_MS = 90_000;

interface HostileRun {
  code: number | null;
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
function fifo(): string {
  const file = at(`fifo-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [file]);
  return file;
}

/**
 * Runs `bin/gridcloud args`; with `chunk`, `@fifo` in args is a FIFO into which
 * `head` is written once, then `chunk` over and over (with backpressure) until the process exits.
 */
function runHostile(args: string[], chunk?: Buffer, head = Buffer.alloc(0)): Promise<HostileRun> {
  const pipe = chunk === undefined ? undefined : fifo();
  const argv = args.map((a) => (a === '@fifo' ? (pipe as string) : a));
  return new Promise((done) => {
    const child = spawn(join(ROOT, 'bin/gridcloud'), argv, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const run: HostileRun = { code: null, stderr: '', peakRssBytes: 0, killedForMemory: false, fedBytes: 0 };
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
    const feed = (): void => {
      while (open && writer !== undefined && chunk !== undefined) {
        run.fedBytes += chunk.length;
        if (!writer.write(chunk)) {
          writer.once('drain', feed);
          return;
        }
      }
    };
    writer?.once('open', () => {
      writer.write(head);
      feed();
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
function report(run: HostileRun): void {
  const mb = (n: number): string => (n / 1048576).toFixed(0);
  process.stderr.write(`fed ${mb(run.fedBytes)} MB, peak RSS ${mb(run.peakRssBytes)} MB\n`);
}

/** Repeats `line` (newline added) into a chunk of about 64 KiB. */
function chunkOf(line: string): Buffer {
  return Buffer.from(`${line}\n`.repeat(Math.ceil(65536 / (line.length + 1))));
}

/** The one line a bad input must produce: no stack trace, no usage text. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return lines[0];
}

const CASE_HEAD = "function mpc = endless\nmpc.version = '2';\nmpc.baseMVA = 100;\nmpc.bus = [\n";
const BUS_ROW = '1 3 0 0 0 0 1 1 0 230 1 1.1 0.9;';

/** A small valid case whose one line `replace` turns hostile. */
function caseWith(edit: (text: string) => string): string {
  const text = `function mpc = tiny
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
  1 3 0 0 0 0 1 1 0 230 1 1.1 0.9;
  2 1 50 10 0 0 1 1 0 230 1 1.1 0.9;
];
mpc.gen = [
  1 0 0 100 -100 1.02 100 1 200 0;
];
mpc.branch = [
  1 2 0.01 0.1 0.02 0 0 0 0 0 1 -360 360;
];
`;
  const out = edit(text);
  expect(out).not.toBe(text);
  const file = at(`case-${Math.random().toString(36).slice(2)}.m`);
  writeFileSync(file, out);
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridcloud grid commands under hostile input', () => {
  it('refuses an endless bus matrix on a pipe at --max-case-rows, in one line and bounded memory', async () => {
    const head = Buffer.from(CASE_HEAD);
    const body = chunkOf(BUS_ROW);
    const run = await runHostile(['powerflow', '--case', '@fifo', '--out', at('pf.csv')], body, head);
    expect(run.killedForMemory, `peak RSS ${run.peakRssBytes}`).toBe(false);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      /^gridcloud powerflow: \S+fifo-\w+:\d+: mpc\.bus has more than 500000 rows/,
    );
    expect(run.stderr).toMatch(/--max-case-rows/);
    report(run);
    expect(run.peakRssBytes).toBeLessThan(RSS_CEILING_BYTES / 2);
  });

  it('refuses an endless measurement CSV on a pipe at --max-csv-rows, in one line and bounded memory', async () => {
    const run = await runHostile(
      ['estimate', '--case', CASE14, '--measurements', '@fifo', '--out', at('est.csv')],
      chunkOf('V,1,,,1.06,0,0.01'),
      Buffer.from('kind,bus,branch,end,re,im,sigma\n'),
    );
    expect(run.killedForMemory, `peak RSS ${run.peakRssBytes}`).toBe(false);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      /^gridcloud estimate: \S+fifo-\w+:\d+: more than 500000 measurement rows/,
    );
    expect(run.stderr).toMatch(/--max-csv-rows/);
    report(run);
    expect(run.peakRssBytes).toBeLessThan(RSS_CEILING_BYTES / 2);
  });

  it('refuses a line that never ends at --max-line-bytes', async () => {
    const run = await runHostile(
      ['estimate', '--case', CASE14, '--measurements', '@fifo', '--out', at('est.csv')],
      Buffer.alloc(65536, '1'),
    );
    expect(run.killedForMemory, `peak RSS ${run.peakRssBytes}`).toBe(false);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toMatch(/^gridcloud estimate: \S+fifo-\w+:1: line longer than 1048576 bytes/);
    report(run);
    expect(run.peakRssBytes).toBeLessThan(RSS_CEILING_BYTES / 2);
  });

  it('applies a lower --max-csv-rows to a measurement file', async () => {
    const file = at('many.csv');
    writeFileSync(file, `kind,bus,branch,end,re,im,sigma\n${'V,1,,,1.06,0,0.01\n'.repeat(1001)}`);
    const run = await runHostile([
      'estimate',
      '--case',
      CASE14,
      '--measurements',
      file,
      '--out',
      at('est.csv'),
      '--max-csv-rows',
      '1000',
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toBe(
      `gridcloud estimate: ${file}:1002: more than 1000 measurement rows (--max-csv-rows)`,
    );
  });

  const badCases: [string, (t: string) => string, RegExp][] = [
    [
      'bus Pd = Inf',
      (t) => t.replace('2 1 50 10', '2 1 Inf 10'),
      /:6: mpc\.bus column 3 \(Pd\) must be a finite number, found Inf/,
    ],
    [
      'branch x = Inf',
      (t) => t.replace('0.01 0.1 0.02', '0.01 Inf 0.02'),
      /:12: mpc\.branch column 4 \(x\) must be a finite number, found Inf/,
    ],
    [
      'bus number 3000000000',
      (t) => t.replace(/^ {2}2 1 50/m, '  3000000000 1 50').replace('1 2 0.01', '1 3000000000 0.01'),
      /:6: bus number 3000000000 is outside the supported range 1\.\.2147483647/,
    ],
    [
      'bus number 4294967310',
      (t) => t.replace(/^ {2}2 1 50/m, '  4294967310 1 50').replace('1 2 0.01', '1 4294967310 0.01'),
      /:6: bus number 4294967310 is outside the supported range 1\.\.2147483647/,
    ],
  ];
  for (const [what, edit, message] of badCases) {
    it(`exits 1 naming the line for ${what}, writing nothing`, async () => {
      const out = at(`pf-${what.replace(/\W+/g, '-')}.csv`);
      const run = await runHostile(['powerflow', '--case', caseWith(edit), '--out', out]);
      expect(run.code, run.stderr).toBe(1);
      expect(oneLine(run.stderr)).toMatch(message);
      expect(() => readFileSync(out)).toThrow(/ENOENT/);
    });
  }
});

/**
 * JGroups in the same run as bench/vsync: three JVMs (JGroupsBench.java), each with a SEQUENCER channel (total
 * order) and a plain FIFO channel over TCP bound to 127.0.0.1 and found with TCPPING. The jar comes from Maven
 * Central through scripts/services.mjs' Maven helper (cached), and the member is compiled with javac. When Java,
 * javac or the jar cannot be had, startJGroups says so loudly on stderr and returns null: the figures are then null,
 * never silently missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureMavenLibs } from '../../../scripts/services.mjs';

export const JGROUPS_VERSION = '5.5.7.Final';
export type JGroupsStack = 'sequencer' | 'fifo';
type Event = { readonly event: string } & Record<string, unknown>;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MEMBERS = 3;
/** Bounds the wait for any one JGroups event (start-up, a phase) so a stalled JVM fails the bench, not hangs it. */
const EVENT_TIMEOUT_MS = 60_000;
/** Bounds the events a JVM's log keeps; a run prints a few hundred. */
const MAX_EVENTS = 100_000;

/** One JGroupsBench JVM driven over stdin/stdout. */
class JvmMember {
  readonly events: Event[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private exited = false;

  constructor(
    readonly name: string,
    args: string[],
  ) {
    this.child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: this.child.stderr! }).on(
      'line',
      (line) => this.stderr.length < 200 && this.stderr.push(line),
    );
    this.child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  command(line: string): void {
    if (!this.exited) this.child.stdin!.write(`${line}\n`);
  }

  next(predicate: (e: Event) => boolean, from = 0): Promise<Event> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`JGroups member ${this.name}: no answer within ${EVENT_TIMEOUT_MS} ms`)),
        EVENT_TIMEOUT_MS,
      );
      const finish = (error?: Error, found?: Event): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve(found!);
      };
      const check = (): void => {
        const found = this.events.slice(from).find(predicate);
        if (found) finish(undefined, found);
        else if (this.exited)
          finish(new Error(`JGroups member ${this.name} exited: ${this.stderr.slice(-10).join('\n')}`));
      };
      this.waiters.add(check);
      check();
    });
  }

  async stop(graceMs: number): Promise<void> {
    if (this.exited) return;
    this.command('exit');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await new Promise<void>((resolve) =>
      this.exited ? resolve() : this.child.once('exit', () => resolve()),
    );
    clearTimeout(timer);
  }

  private onLine(line: string): void {
    if (this.events.length >= MAX_EVENTS) return;
    try {
      this.events.push(JSON.parse(line) as Event);
    } catch {
      this.stderr.push(`stdout: ${line}`);
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }),
  );
}

const has = (binary: string): boolean => spawnSync(binary, ['-version'], { stdio: 'ignore' }).status === 0;

/** Fetches the jar and compiles the member; returns the classpath, or the reason it cannot. */
function build(): { classpath: string } | { skipped: string } {
  if (!has('java') || !has('javac'))
    return { skipped: 'java/javac not found (apt-get install openjdk-17-jdk-headless)' };
  const dir = path.join(tmpdir(), 'gridcloud-bench', `jgroups-${JGROUPS_VERSION}`);
  const libsDir = path.join(dir, 'libs');
  try {
    ensureMavenLibs({
      service: 'jgroups',
      pom: path.join(HERE, 'pom.xml'),
      artifact: 'org.jgroups:jgroups',
      versionProperty: 'jgroups.version',
      version: JGROUPS_VERSION,
      libsDir,
    });
  } catch (error) {
    return { skipped: (error as Error).message.split('\n')[0] };
  }
  const jar = path.join(libsDir, `jgroups-${JGROUPS_VERSION}.jar`);
  const classes = path.join(dir, 'classes');
  mkdirSync(classes, { recursive: true });
  const javac = spawnSync('javac', ['-d', classes, '-cp', jar, path.join(HERE, 'JGroupsBench.java')], {
    encoding: 'utf8',
  });
  if (javac.status !== 0 || !existsSync(path.join(classes, 'JGroupsBench.class')))
    return { skipped: `javac failed: ${javac.stderr.split('\n')[0]}` };
  return { classpath: `${jar}${path.delimiter}${classes}` };
}

/** Three JGroups members; every phase is measured on the same monotonic clock as the Node members. */
export class JGroupsCluster {
  private nextPhase = 1;

  private constructor(readonly members: JvmMember[]) {}

  /** Starts the three JVMs (founder first, so it coordinates both channels and sequences the total order). */
  static async start(): Promise<JGroupsCluster | null> {
    const built = build();
    if ('skipped' in built) {
      process.stderr.write(`\n!!! JGROUPS SKIPPED: ${built.skipped}; the jgroups figures are null !!!\n\n`);
      return null;
    }
    const ports = { seq: [] as number[], fifo: [] as number[] };
    for (let i = 0; i < MEMBERS; i += 1) {
      ports.seq.push(await freePort());
      ports.fifo.push(await freePort());
    }
    const hosts = (list: number[]): string => list.map((p) => `127.0.0.1[${p}]`).join(',');
    const args = (i: number): string[] => [
      '-Xmx512m',
      '-Djava.net.preferIPv4Stack=true',
      `-Dbench.seq.config=${path.join(HERE, 'bench-sequencer.xml')}`,
      `-Dbench.fifo.config=${path.join(HERE, 'bench-fifo.xml')}`,
      `-Dbench.seq.port=${ports.seq[i]}`,
      `-Dbench.seq.hosts=${hosts(ports.seq)}`,
      `-Dbench.fifo.port=${ports.fifo[i]}`,
      `-Dbench.fifo.hosts=${hosts(ports.fifo)}`,
      '-cp',
      built.classpath,
      'JGroupsBench',
    ];
    const members = [new JvmMember('j0', args(0))];
    await members[0].next((e) => e.event === 'ready');
    for (let i = 1; i < MEMBERS; i += 1) members.push(new JvmMember(`j${i}`, args(i)));
    for (const stack of ['sequencer', 'fifo'])
      await Promise.all(
        members.map((m) => m.next((e) => e.event === 'view' && e.stack === stack && e.size === MEMBERS)),
      );
    return new JGroupsCluster(members);
  }

  /**
   * Each sender multicasts count messages of sizeBytes; resolves with the elapsed nanoseconds from the first send
   * to the last delivery at any member (every member, the senders included, delivers every message).
   */
  async blast(
    stack: JGroupsStack,
    senders: number,
    count: number,
    sizeBytes: number,
  ): Promise<{ elapsedNs: number }> {
    const phase = this.nextPhase;
    this.nextPhase = (this.nextPhase % 100) + 1;
    const marks = this.members.map((m) => m.events.length);
    for (const m of this.members) m.command(`expect ${stack} ${phase} ${count * senders}`);
    await Promise.all(
      this.members.map((m, i) => m.next((e) => e.event === 'expecting' && e.phase === phase, marks[i])),
    );
    const done = this.members.map((m, i) =>
      m.next((e) => (e.event === 'phaseDone' && e.phase === phase) || e.event === 'error', marks[i]),
    );
    const starts = this.members
      .slice(0, senders)
      .map((m, i) => m.next((e) => e.event === 'blastStart' && e.phase === phase, marks[i]));
    for (const m of this.members.slice(0, senders))
      m.command(`blast ${stack} ${phase} ${count} ${sizeBytes}`);
    const ends = await Promise.all(done);
    const failed = ends.find((e) => e.event === 'error');
    if (failed) throw new Error(`JGroups ${stack}: ${String(failed.message)}`);
    const startNs = Math.min(...(await Promise.all(starts)).map((e) => e.startNs as number));
    return { elapsedNs: Math.max(...ends.map((e) => e.endNs as number)) - startNs };
  }

  pids(): number[] {
    return this.members.map((m) => m.pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop(3_000)));
  }
}

/**
 * A benchmark cluster: vsync member processes (bench/vsync/member.ts) on loopback, driven over stdin/stdout, and the
 * measurements bench/vsync/main.ts makes with them (throughput of send/orderedSend and of raw TCP between the same
 * processes, light-load latency, RSS). A message counts once it reached every member; timestamps are
 * process.hrtime (CLOCK_MONOTONIC), which every process on the host shares.
 */
import { readFileSync } from 'node:fs';
import { SHARED_CORES_NODE_FLAGS } from '@gridcloud/vsync';
import { MemberProcess, type MemberEvent } from '../../test/vsync/member-process';

const PROGRAM = 'bench/vsync/member.ts';
/** Bounds each phase so a stalled run reports instead of hanging. */
export const PHASE_TIMEOUT_MS = 120_000;
/** Handler (phase) ids in bench/vsync/member.ts: one sender 0-1, light-load latency 2-3, warm-up 4, all senders 5-6. */
export const PHASE = {
  sendOne: 0,
  orderedOne: 1,
  sendLatency: 2,
  orderedLatency: 3,
  warmup: 4,
  sendAll: 5,
  orderedAll: 6,
};

export interface Throughput {
  msgsPerSec: number;
  mbPerSec: number;
  /** Per member (in start order), the CPU microseconds it spent per message of the phase; vsync phases only. */
  cpuUsPerMsg?: number[];
}
export interface Latency {
  p50Ms: number;
  p99Ms: number;
}
export type Ordering = 'fifo' | 'total';

export interface ClusterSettings {
  /** Protocol bounds for every member (VsyncProcessOptions.core). */
  readonly core: Record<string, number>;
  readonly sizeBytes: number;
  /** Sends a vsync sender issues before awaiting them. */
  readonly inFlight: number;
}

export function within<T>(what: string, promise: Promise<T>, timeoutMs = PHASE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(
        () => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      )),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The value at percentile p of an ascending list, in ms rounded to the microsecond. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line === undefined ? null : Math.round(Number(line.split(/\s+/)[1]) / 102.4) / 10;
  } catch {
    return null;
  }
}

const elapsedNs = (starts: MemberEvent[], ends: MemberEvent[]): number =>
  Math.max(...ends.map((e) => e.endNs as number)) - Math.min(...starts.map((e) => e.startNs as number));

export class BenchCluster {
  private named = 0;
  /** Each live member's advertised vsync address (its `ready` event). */
  private readonly addresses = new Map<MemberProcess, string>();

  private constructor(
    readonly members: MemberProcess[],
    readonly settings: ClusterSettings,
  ) {}

  /** Starts `size` member processes (the first founds) and waits until each is ready; none has joined the group. */
  static async start(size: number, settings: ClusterSettings): Promise<BenchCluster> {
    const cluster = new BenchCluster([], settings);
    const founder = cluster.spawn([]);
    await within('start', cluster.ready(founder));
    for (let i = 1; i < size; i += 1) cluster.spawn([cluster.addresses.get(founder)!]);
    await within('start', Promise.all(cluster.members.map((m) => cluster.ready(m))));
    return cluster;
  }

  /** Joins the members one by one and waits until every one sees the whole group. */
  async join(): Promise<void> {
    for (const m of this.members) await this.joinOne(m);
    await this.settled();
  }

  /** A new member process seeded with the live members, joined to the group; resolves once every member sees it. */
  async addMember(): Promise<MemberProcess> {
    const member = this.spawn(this.members.map((m) => this.addresses.get(m)!));
    await within('start', this.ready(member));
    await this.joinOne(member);
    await this.settled();
    return member;
  }

  /** SIGKILLs a member; returns the monotonic time of the kill in ns and forgets the member. */
  kill(member: MemberProcess): number {
    const killNs = Number(process.hrtime.bigint());
    member.kill('SIGKILL');
    this.members.splice(this.members.indexOf(member), 1);
    this.addresses.delete(member);
    return killNs;
  }

  /** Each of `senders` members multicasts `count` messages as fast as its window allows; throughput over all. */
  async blast(phase: number, ordering: Ordering, senders = 1, count: number): Promise<Throughput> {
    const { sizeBytes, inFlight } = this.settings;
    const done = await this.expectPhase(phase, count * senders);
    const sending = this.members.slice(0, senders);
    const marks = sending.map((m) => m.events.length);
    for (const m of sending) m.command({ cmd: 'blast', phase, ordering, count, sizeBytes, inFlight });
    const starts = await within(
      `phase ${phase}`,
      Promise.all(
        sending.map((m, i) => m.next((e) => e.event === 'blastStart' && e.phase === phase, marks[i])),
      ),
    );
    const ends = await Promise.all(done);
    const cpuUsPerMsg = ends.map((e) => Math.round(((e.cpuUs as number) / (count * senders)) * 10) / 10);
    return { ...this.throughput(count * senders, elapsedNs(starts, ends)), cpuUsPerMsg };
  }

  /** One message in flight from the first member; latency from the send call to delivery at each other member. */
  async latency(phase: number, ordering: Ordering, count: number): Promise<Latency> {
    const done = await this.expectPhase(phase, count);
    this.members[0].command({ cmd: 'paced', phase, ordering, count, sizeBytes: this.settings.sizeBytes });
    const ends = await Promise.all(done);
    const remote = ends
      .slice(1)
      .flatMap((e) => e.latenciesMs as number[])
      .sort((a, b) => a - b);
    return { p50Ms: percentile(remote, 50), p99Ms: percentile(remote, 99) };
  }

  /** Raw TCP: each sender writes count messages to every other member; throughput over all senders' messages. */
  async raw(senders: number, batched: boolean, count: number): Promise<Throughput> {
    const members = this.members;
    const marks = members.map((m) => m.events.length);
    members.forEach((m, i) =>
      m.command({ cmd: 'rawExpect', count: count * (i < senders ? senders - 1 : senders) }),
    );
    const ports = await Promise.all(
      members.map(async (m, i) => (await m.next((e) => e.event === 'rawReady', marks[i])).port as number),
    );
    const sending = members.slice(0, senders);
    const { sizeBytes } = this.settings;
    sending.forEach((m, i) =>
      m.command({ cmd: 'rawSend', ports: ports.filter((_, j) => j !== i), count, sizeBytes, batched }),
    );
    const starts = await within(
      'raw',
      Promise.all(sending.map((m, i) => m.next((e) => e.event === 'rawStart', marks[i]))),
    );
    const receivers = members.filter((_, i) => senders > 1 || i > 0);
    const ends = await within(
      'raw',
      Promise.all(receivers.map((m) => m.next((e) => e.event === 'rawDone', marks[members.indexOf(m)]))),
    );
    return this.throughput(count * senders, elapsedNs(starts, ends));
  }

  /** Asks a member for one event (`stats`, `memory`) and waits for its answer. */
  async ask(member: MemberProcess, cmd: string): Promise<MemberEvent> {
    const mark = member.events.length;
    member.command({ cmd });
    return within(
      cmd,
      member.next((e) => e.event === cmd, mark),
    );
  }

  rss(): Array<number | null> {
    return this.members.map((m) => rssMiB(m.pid));
  }

  async stop(): Promise<void> {
    for (const m of this.members) m.command({ cmd: 'exit' });
    await Promise.all(this.members.map((m) => m.stop(3_000)));
  }

  private throughput(count: number, ns: number): Throughput {
    const msgsPerSec = count / (ns / 1e9);
    return {
      msgsPerSec: Math.round(msgsPerSec),
      mbPerSec: Math.round(((msgsPerSec * this.settings.sizeBytes) / 1e6) * 100) / 100,
    };
  }

  /** The vsync address a live member advertises. */
  addressOf(member: MemberProcess): string {
    return this.addresses.get(member)!;
  }

  private spawn(seeds: string[]): MemberProcess {
    const member = new MemberProcess(
      `b${this.named++}`,
      PROGRAM,
      { seeds: seeds.length === 0 ? undefined : seeds, core: this.settings.core },
      [],
      // Three to seven busy members on the machine's cores: see SHARED_CORES_NODE_FLAGS.
      SHARED_CORES_NODE_FLAGS,
    );
    this.members.push(member);
    return member;
  }

  private async ready(member: MemberProcess): Promise<void> {
    const { address } = await member.next((e) => e.event === 'ready');
    this.addresses.set(member, address as string);
  }

  private async joinOne(member: MemberProcess): Promise<void> {
    const mark = member.events.length;
    member.command({ cmd: 'join' });
    await within(
      'join',
      member.next((e) => e.event === 'joined', mark),
    );
  }

  /** Waits until every member's latest view holds exactly the live members. */
  private async settled(): Promise<void> {
    const size = this.members.length;
    await within(
      'join',
      Promise.all(
        this.members.map((m) =>
          m.until(() => {
            const views = m.events.filter((e) => e.event === 'view');
            return views.length > 0 && views[views.length - 1].size === size;
          }),
        ),
      ),
    );
  }

  private async expectPhase(phase: number, count: number): Promise<Array<Promise<MemberEvent>>> {
    const marks = this.members.map((m) => m.events.length);
    for (const m of this.members) m.command({ cmd: 'expect', phase, count });
    await Promise.all(
      this.members.map((m, i) => m.next((e) => e.event === 'expecting' && e.phase === phase, marks[i])),
    );
    return this.members.map((m, i) =>
      within(
        `phase ${phase}`,
        m.next((e) => e.event === 'phaseDone' && e.phase === phase, marks[i]),
      ),
    );
  }
}

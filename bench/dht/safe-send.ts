/**
 * The price of durability: safeSend against orderedSend with 3 member processes (bench/dht/safe-send-member.ts) on
 * loopback, the same message size, in the same run. Logged safeSend appends and fsyncs every batch of safe records
 * at every member before it accepts them; `safeSendMemory` is the same protocol with in-memory acceptors. Throughput:
 * all three members send `count` messages each as fast as their window allows, counted once every member delivered
 * all of them. Latency: one message in flight from the first member, send call to delivery at each member.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemberProcess, type MemberEvent } from '../../test/vsync/member-process';

const PROGRAM = 'bench/dht/safe-send-member.ts';
const MEMBERS = 3;
/** Bounds each phase so a stalled run reports instead of hanging. */
const PHASE_TIMEOUT_MS = 180_000;

export interface SafeSendOptions {
  /** Messages each of the 3 members sends in the throughput phase (default 2000). */
  readonly count?: number;
  /** Payload bytes of every message (default 1024). */
  readonly sizeBytes?: number;
  /** Messages of the light-load latency phase (default 200). */
  readonly pacedCount?: number;
  /** Sends a member keeps unresolved (default 64). */
  readonly inFlight?: number;
}

export interface SendFigures {
  readonly msgsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface SafeSendResult {
  readonly safeSend: SendFigures;
  readonly safeSendMemory: SendFigures;
  readonly orderedSend: SendFigures;
}

type Ordering = 'total' | 'safe';

export async function measureSafeSend(opts: SafeSendOptions = {}): Promise<SafeSendResult> {
  const settings = { count: 2_000, sizeBytes: 1_024, pacedCount: 200, inFlight: 64, ...opts };
  const logRoot = await mkdtemp(join(tmpdir(), 'safe-send-bench-'));
  try {
    const memory = await SafeCluster.start(undefined);
    const orderedSend = await memory.measure('total', settings, 0);
    const safeSendMemory = await memory.measure('safe', settings, 10);
    await memory.stop();
    const logged = await SafeCluster.start(logRoot);
    const safeSend = await logged.measure('safe', settings, 20);
    await logged.stop();
    return { safeSend, safeSendMemory, orderedSend };
  } finally {
    await rm(logRoot, { recursive: true, force: true });
  }
}

function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(
        () => reject(new Error(`${what} did not finish in ${PHASE_TIMEOUT_MS} ms`)),
        PHASE_TIMEOUT_MS,
      )),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;
}

class SafeCluster {
  private constructor(readonly members: MemberProcess[]) {}

  /** Starts 3 members (the first founds), joins them one by one and waits until each sees all three. */
  static async start(logRoot: string | undefined): Promise<SafeCluster> {
    const spawn = (i: number, seeds?: string[]): MemberProcess =>
      new MemberProcess(`s${i}`, PROGRAM, { seeds, logDir: logRoot && join(logRoot, `s${i}`) });
    const founder = spawn(0);
    const { address } = await within(
      'start',
      founder.next((e) => e.event === 'ready'),
    );
    const members = [
      founder,
      ...Array.from({ length: MEMBERS - 1 }, (_, i) => spawn(i + 1, [address as string])),
    ];
    for (const m of members) {
      await within(
        'start',
        m.next((e) => e.event === 'ready'),
      );
      m.command({ cmd: 'join' });
      await within(
        'join',
        m.next((e) => e.event === 'joined'),
      );
    }
    await within(
      'join',
      Promise.all(
        members.map((m) => m.until(() => m.events.some((e) => e.event === 'view' && e.size === MEMBERS))),
      ),
    );
    return new SafeCluster(members);
  }

  async measure(ordering: Ordering, s: Required<SafeSendOptions>, phaseBase: number): Promise<SendFigures> {
    await this.run(phaseBase, Math.min(200, s.count), ordering, s, 'blast'); // warm-up
    const blasts = await this.run(phaseBase + 1, s.count, ordering, s, 'blast');
    const paced = await this.run(phaseBase + 2, s.pacedCount, ordering, s, 'paced');
    const latencies = paced.ends.flatMap((e) => e.latenciesMs as number[]).sort((a, b) => a - b);
    const startNs = Math.min(...blasts.starts.map((e) => e.startNs as number));
    const endNs = Math.max(...blasts.ends.map((e) => e.endNs as number));
    return {
      msgsPerSec: Math.round((s.count * MEMBERS) / ((endNs - startNs) / 1e9)),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  }

  async stop(): Promise<void> {
    for (const m of this.members) m.command({ cmd: 'exit' });
    await Promise.all(this.members.map((m) => m.stop(5_000)));
  }

  /** One phase: every member expects the messages, then all members blast (or the first paces) them. */
  private async run(
    phase: number,
    count: number,
    ordering: Ordering,
    s: Required<SafeSendOptions>,
    how: 'blast' | 'paced',
  ): Promise<{ starts: MemberEvent[]; ends: MemberEvent[] }> {
    const senders = how === 'blast' ? this.members : this.members.slice(0, 1);
    const marks = this.members.map((m) => m.events.length);
    const expected = count * senders.length;
    for (const m of this.members) m.command({ cmd: 'expect', phase, count: expected });
    await Promise.all(
      this.members.map((m, i) => m.next((e) => e.event === 'expecting' && e.phase === phase, marks[i])),
    );
    const command = { cmd: how, phase, ordering, count, sizeBytes: s.sizeBytes, inFlight: s.inFlight };
    for (const m of senders) m.command(command);
    const ends = await within(
      `phase ${phase}`,
      Promise.all(
        this.members.map((m, i) => m.next((e) => e.event === 'phaseDone' && e.phase === phase, marks[i])),
      ),
    );
    const starts =
      how === 'blast'
        ? await Promise.all(
            senders.map((m, i) => m.next((e) => e.event === 'blastStart' && e.phase === phase, marks[i])),
          )
        : [];
    return { starts, ends };
  }
}

// Run directly (`npx tsx bench/dht/safe-send.ts`): prints the figures as one JSON line.
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureSafeSend();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

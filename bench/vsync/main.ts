/**
 * vsync benchmark: three member processes on loopback move 1 KB messages, and every figure counts a message once it
 * reached every member. Series, each with one sender and with all three sending at once:
 *   rawBatched:  plain Node TCP between the same processes, messages length-prefixed and coalesced into ~64 KB writes
 *                with backpressure, the receiver parsing every message (the limit);
 *   raw:         the same with one write() per message (a secondary line, one sender only);
 *   send:        Group.send (FIFO) to the group of three;
 *   orderedSend: Group.orderedSend (total order);
 *   jgroups:     JGroups 5.5 in three JVMs (bench/vsync/jgroups/): TCP + SEQUENCER, and TCP FIFO only (null, with a
 *                loud line on stderr, when Java cannot be had; --no-jgroups skips it on purpose).
 * Latency (p50/p99) is measured at light load (one message in flight) from the send call to delivery at each of the
 * other two members. Each member's RSS is read from /proc after the rounds. The last line printed is one JSON object:
 * `ratio` = orderedSend.oneSender / rawBatched.oneSender, `ratioJGroups` = orderedSend.oneSender /
 * jgroups.sequencer.oneSender, `ratioJGroupsAll` the same with all sending, `ratioPerWrite` = orderedSend.oneSender /
 * raw (the old figure); `load` is the 1-minute load average before and after (the machine is shared: compare
 * figures of one run only).
 *
 * In the throughput phases each vsync sender keeps up to --in-flight sends outstanding (each send's promise resolves
 * once the message is in the send window, so an application need not await one before issuing the next). Before the
 * measured phases, --warmup-messages unmeasured multicasts let both JITs compile the hot paths.
 *
 * The phases run --rounds times, interleaved, and each figure is the median over the rounds; every round's figures
 * are in `rounds` as well.
 *
 *   npm run bench:vsync -- [--json] [--messages 30000] [--rounds 5] [--latency-messages 300] [--size-bytes 1024]
 *                          [--warmup-messages 20000] [--in-flight 32] [--no-jgroups]
 *                          [--core '{"tickIntervalMs":2}']   (protocol bounds for every member, as JSON)
 *                          [--state-mib 1024]   (state transfer vs raw TCP of that many MiB, bench/vsync/state-transfer.ts; 0 skips)
 *                          [--no-query]   (skips the query part)
 *                          [--series orderedOne,sendOne]   (only these series; names as in `rounds`, for profiling)
 * The JSON line also carries `query` {p50Ms, p99Ms}: query(ALL) round trips among three other member processes.
 */
import { MemberProcess, type MemberEvent } from '../../test/vsync/member-process';
import { measureStateTransfer } from './state-transfer';
import { measureQueryLatency } from './query-latency';
import { JGroupsCluster, type JGroupsStack } from './jgroups/jgroups';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const PROGRAM = 'bench/vsync/member.ts';
/** Bounds each phase so a stalled run reports instead of hanging. */
const PHASE_TIMEOUT_MS = 120_000;
/** Handler (phase) ids in bench/vsync/member.ts: one sender 0-1, light-load latency 2-3, warm-up 4, all senders 5-6. */
const PHASE = {
  sendOne: 0,
  orderedOne: 1,
  sendLatency: 2,
  orderedLatency: 3,
  warmup: 4,
  sendAll: 5,
  orderedAll: 6,
};
const MEMBERS = 3;

interface Throughput {
  msgsPerSec: number;
  mbPerSec: number;
}
interface Latency {
  p50Ms: number;
  p99Ms: number;
}

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} expects a positive integer, got ${process.argv[at + 1]}`);
  return value;
}

const json = process.argv.includes('--json');
const messages = argument('messages', 30_000);
/** Interleaved repetitions of the throughput phases; medians are reported. */
const rounds = argument('rounds', 5);
const latencyMessages = argument('latency-messages', 300);
/** Unmeasured multicasts sent first, so the measured phases see JIT-compiled code rather than the interpreter. */
const warmupMessages = argument('warmup-messages', 20_000);
const sizeBytes = argument('size-bytes', 1024);
/** Sends the sender issues before awaiting them; 1 awaits each send before the next. */
const inFlight = argument('in-flight', 32);
// With --json only the closing JSON line is printed; otherwise progress goes to stderr as well.
const core = coreBounds();
/** MiB of state moved by the state-transfer part (1024 = the 1 GiB figure; --state-mib 0 skips it for quick runs). */
const stateMib = process.argv.includes('--state-mib')
  ? Number(process.argv[process.argv.indexOf('--state-mib') + 1])
  : 1024;
const withJGroups = !process.argv.includes('--no-jgroups');
const withQuery = !process.argv.includes('--no-query');
/** --series a,b runs only those series (e.g. `--series orderedOne` to profile one path); all by default. */
const onlySeries = process.argv.includes('--series')
  ? new Set(process.argv[process.argv.indexOf('--series') + 1].split(','))
  : undefined;
const log = (line: string): void => void (json || process.stderr.write(`${line}\n`));

function coreBounds(): Record<string, number> {
  const at = process.argv.indexOf('--core');
  if (at < 0) return {};
  try {
    return JSON.parse(process.argv[at + 1]) as Record<string, number>;
  } catch {
    throw new Error(
      `--core expects a JSON object of protocol bounds, e.g. '{"tickIntervalMs":2}', got ${process.argv[at + 1]}`,
    );
  }
}

function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(
        () => reject(new Error(`${what} did not finish within ${PHASE_TIMEOUT_MS} ms`)),
        PHASE_TIMEOUT_MS,
      )),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const throughput = (count: number, elapsedNs: number): Throughput => {
  const msgsPerSec = count / (elapsedNs / 1e9);
  return {
    msgsPerSec: Math.round(msgsPerSec),
    mbPerSec: Math.round(((msgsPerSec * sizeBytes) / 1e6) * 100) / 100,
  };
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;
}

async function startMembers(): Promise<MemberProcess[]> {
  const founder = new MemberProcess('b0', PROGRAM, { core });
  const { address } = await within(
    'start',
    founder.next((e) => e.event === 'ready'),
  );
  const members = [
    founder,
    new MemberProcess('b1', PROGRAM, { seeds: [address], core }),
    new MemberProcess('b2', PROGRAM, { seeds: [address], core }),
  ];
  await within('start', Promise.all(members.map((m) => m.next((e) => e.event === 'ready'))));
  return members;
}

/** Waits for a member's next event matching `predicate` printed after `mark` (an index into its events): phases
 *  repeat, so an event of an earlier round must not answer for this one. */
function nextAfter(
  member: MemberProcess,
  mark: number,
  predicate: (e: MemberEvent) => boolean,
): Promise<MemberEvent> {
  return member.next(predicate, mark);
}

/** Raw TCP: each sender writes count messages to the other two members; throughput over all senders' messages. */
async function raw(members: MemberProcess[], senders: number, batched: boolean): Promise<Throughput> {
  const marks = members.map((m) => m.events.length);
  members.forEach((m, i) =>
    m.command({ cmd: 'rawExpect', count: messages * (i < senders ? senders - 1 : senders) }),
  );
  const ports = await Promise.all(
    members.map(async (m, i) => (await nextAfter(m, marks[i], (e) => e.event === 'rawReady')).port as number),
  );
  const sending = members.slice(0, senders);
  sending.forEach((m, i) =>
    m.command({
      cmd: 'rawSend',
      ports: ports.filter((_, j) => j !== i),
      count: messages,
      sizeBytes,
      batched,
    }),
  );
  const starts = await within(
    'raw',
    Promise.all(sending.map((m, i) => nextAfter(m, marks[i], (e) => e.event === 'rawStart'))),
  );
  const receivers = members.filter((_, i) => senders > 1 || i > 0);
  const ends = await within(
    'raw',
    Promise.all(receivers.map((m) => nextAfter(m, marks[members.indexOf(m)], (e) => e.event === 'rawDone'))),
  );
  return throughput(messages * senders, elapsedNs(starts, ends));
}

const elapsedNs = (starts: MemberEvent[], ends: MemberEvent[]): number =>
  Math.max(...ends.map((e) => e.endNs as number)) - Math.min(...starts.map((e) => e.startNs as number));

async function join(members: MemberProcess[]): Promise<void> {
  for (const m of members) {
    m.command({ cmd: 'join' });
    await within(
      'join',
      m.next((e) => e.event === 'joined'),
    );
  }
  await within('join', Promise.all(members.map((m) => m.next((e) => e.event === 'view' && e.size === 3))));
}

async function expectPhase(
  members: MemberProcess[],
  phase: number,
  count: number,
): Promise<Array<Promise<MemberEvent>>> {
  const marks = members.map((m) => m.events.length);
  for (const m of members) m.command({ cmd: 'expect', phase, count });
  await Promise.all(
    members.map((m, i) => nextAfter(m, marks[i], (e) => e.event === 'expecting' && e.phase === phase)),
  );
  return members.map((m, i) =>
    within(
      `phase ${phase}`,
      nextAfter(m, marks[i], (e) => e.event === 'phaseDone' && e.phase === phase),
    ),
  );
}

async function blast(
  members: MemberProcess[],
  phase: number,
  ordering: 'fifo' | 'total',
  senders = 1,
  count = messages,
): Promise<Throughput> {
  const done = await expectPhase(members, phase, count * senders);
  const sending = members.slice(0, senders);
  const marks = sending.map((m) => m.events.length);
  for (const m of sending) m.command({ cmd: 'blast', phase, ordering, count, sizeBytes, inFlight });
  const starts = await within(
    `phase ${phase}`,
    Promise.all(
      sending.map((m, i) => nextAfter(m, marks[i], (e) => e.event === 'blastStart' && e.phase === phase)),
    ),
  );
  return throughput(count * senders, elapsedNs(starts, await Promise.all(done)));
}

async function jgroupsBlast(
  cluster: JGroupsCluster,
  stack: JGroupsStack,
  senders: number,
): Promise<Throughput> {
  const { elapsedNs: ns } = await cluster.blast(stack, senders, messages, sizeBytes);
  return throughput(messages * senders, ns);
}

async function latency(
  members: MemberProcess[],
  phase: number,
  ordering: 'fifo' | 'total',
): Promise<Latency> {
  const done = await expectPhase(members, phase, latencyMessages);
  members[0].command({ cmd: 'paced', phase, ordering, count: latencyMessages, sizeBytes });
  const ends = await Promise.all(done);
  const remote = ends
    .slice(1)
    .flatMap((e) => e.latenciesMs as number[])
    .sort((a, b) => a - b);
  return { p50Ms: percentile(remote, 50), p99Ms: percentile(remote, 99) };
}

/** How many protocol messages the sender's transport packed per TCP frame: the batching factor. */
async function logBatching(sender: MemberProcess): Promise<void> {
  const mark = sender.events.length;
  sender.command({ cmd: 'stats' });
  const stats = await within(
    'stats',
    nextAfter(sender, mark, (e) => e.event === 'stats'),
  );
  const transport = stats.transport as { framesSent: number; messagesSent: number; bytesSent: number };
  const perFrame = Math.round((transport.messagesSent / transport.framesSent) * 10) / 10;
  log(
    `sender transport: ${transport.messagesSent} messages in ${transport.framesSent} frames (${perFrame} per frame)`,
  );
}

/** One round: every series, interleaved, so each sees the same machine load. */
type Series =
  | 'rawBatchedOne'
  | 'rawBatchedAll'
  | 'rawPerWrite'
  | 'sendOne'
  | 'orderedOne'
  | 'sendAll'
  | 'orderedAll'
  | 'sequencerOne'
  | 'sequencerAll'
  | 'fifoOne'
  | 'fifoAll';
type Round = Partial<Record<Series, number>>;

/** Median over rounds of one series' msgs/s (null when the series did not run). */
function median(rounds: Round[], series: Series): number | null {
  const values = rounds.map((r) => r[series]).filter((v): v is number => v !== undefined);
  if (values.length === 0) return null;
  const sorted = values.sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const ratioOf = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : Math.round((a / b) * 1000) / 1000;

async function measureRound(
  members: MemberProcess[],
  jgroups: JGroupsCluster | null,
  index: number,
): Promise<Round> {
  const steps: Array<[Series, () => Promise<Throughput>]> = [
    ['rawBatchedOne', () => raw(members, 1, true)],
    ['orderedOne', () => blast(members, PHASE.orderedOne, 'total')],
    ['sendOne', () => blast(members, PHASE.sendOne, 'fifo')],
    ['rawPerWrite', () => raw(members, 1, false)],
    ['rawBatchedAll', () => raw(members, MEMBERS, true)],
    ['orderedAll', () => blast(members, PHASE.orderedAll, 'total', MEMBERS)],
    ['sendAll', () => blast(members, PHASE.sendAll, 'fifo', MEMBERS)],
  ];
  if (jgroups !== null)
    steps.push(
      ['sequencerOne', () => jgroupsBlast(jgroups, 'sequencer', 1)],
      ['fifoOne', () => jgroupsBlast(jgroups, 'fifo', 1)],
      ['sequencerAll', () => jgroupsBlast(jgroups, 'sequencer', MEMBERS)],
      ['fifoAll', () => jgroupsBlast(jgroups, 'fifo', MEMBERS)],
    );
  const round: Round = {};
  for (const [series, run] of steps)
    if (onlySeries === undefined || onlySeries.has(series)) round[series] = (await run()).msgsPerSec;
  log(`round ${index + 1} (load ${loadavg()[0].toFixed(1)}): ${JSON.stringify(round)}`);
  return round;
}

/** Resident set size of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line === undefined ? null : Math.round(Number(line.split(/\s+/)[1]) / 102.4) / 10;
  } catch {
    return null;
  }
}

async function warmUp(members: MemberProcess[], jgroups: JGroupsCluster | null): Promise<void> {
  await blast(members, PHASE.warmup, 'total', 1, warmupMessages);
  await blast(members, PHASE.warmup, 'fifo', MEMBERS, warmupMessages);
  // The JVMs need several passes before C2 has compiled JGroups' send and receive paths.
  if (jgroups !== null)
    for (let i = 0; i < 3; i += 1)
      for (const stack of ['sequencer', 'fifo'] as const)
        await jgroups.blast(stack, MEMBERS, warmupMessages, sizeBytes);
}

function summary(
  measured: Round[],
  send: Latency,
  ordered: Latency,
  rss: Record<string, Array<number | null>>,
) {
  const m = (series: Series): number | null => median(measured, series);
  const orderedSend = { oneSender: m('orderedOne'), allSenders: m('orderedAll'), ...ordered };
  const jgroups = {
    sequencer: { oneSender: m('sequencerOne'), allSenders: m('sequencerAll') },
    fifo: { oneSender: m('fifoOne'), allSenders: m('fifoAll') },
  };
  const mb = (v: number | null): number | null =>
    v === null ? null : Math.round((v * sizeBytes) / 1e4) / 100;
  return {
    raw: { msgsPerSec: m('rawPerWrite'), mbPerSec: mb(m('rawPerWrite')) },
    rawBatched: { oneSender: m('rawBatchedOne'), allSenders: m('rawBatchedAll') },
    send: {
      msgsPerSec: m('sendOne'),
      mbPerSec: mb(m('sendOne')),
      oneSender: m('sendOne'),
      allSenders: m('sendAll'),
      ...send,
    },
    orderedSend: { msgsPerSec: orderedSend.oneSender, mbPerSec: mb(orderedSend.oneSender), ...orderedSend },
    jgroups,
    ratio: ratioOf(orderedSend.oneSender, m('rawBatchedOne')),
    ratioJGroups: ratioOf(orderedSend.oneSender, jgroups.sequencer.oneSender),
    ratioJGroupsAll: ratioOf(orderedSend.allSenders, jgroups.sequencer.allSenders),
    ratioPerWrite: ratioOf(orderedSend.oneSender, m('rawPerWrite')),
    rssMiB: rss,
  };
}

function logSummary(result: ReturnType<typeof summary>): void {
  const { rawBatched, raw: perWrite, send, orderedSend, jgroups } = result;
  log(
    `medians of ${rounds} rounds of ${messages} messages of ${sizeBytes} bytes per sender, msgs/s (1 sender / all ${MEMBERS}):`,
  );
  log(`  raw TCP batched      ${rawBatched.oneSender} / ${rawBatched.allSenders}`);
  log(`  raw TCP write/msg    ${perWrite.msgsPerSec}`);
  log(
    `  send                 ${send.oneSender} / ${send.allSenders}  p50 ${send.p50Ms} ms  p99 ${send.p99Ms} ms`,
  );
  log(
    `  orderedSend          ${orderedSend.oneSender} / ${orderedSend.allSenders}  p50 ${orderedSend.p50Ms} ms  p99 ${orderedSend.p99Ms} ms`,
  );
  log(`  JGroups SEQUENCER    ${jgroups.sequencer.oneSender} / ${jgroups.sequencer.allSenders}`);
  log(`  JGroups FIFO         ${jgroups.fifo.oneSender} / ${jgroups.fifo.allSenders}`);
  log(
    `  ratio ${result.ratio}  ratioJGroups ${result.ratioJGroups}  ratioJGroupsAll ${result.ratioJGroupsAll}  RSS MiB ${JSON.stringify(result.rssMiB)}`,
  );
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const members = await startMembers();
  const jgroups = withJGroups ? await JGroupsCluster.start() : null;
  try {
    await join(members);
    await warmUp(members, jgroups);
    const measured: Round[] = [];
    for (let i = 0; i < rounds; i += 1) measured.push(await measureRound(members, jgroups, i));
    const rss = { vsync: members.map((m) => rssMiB(m.pid)), jgroups: jgroups?.pids().map(rssMiB) ?? [] };
    const send = await latency(members, PHASE.sendLatency, 'fifo');
    const ordered = await latency(members, PHASE.orderedLatency, 'total');
    const figures = summary(measured, send, ordered, rss);
    logSummary(figures);
    await logBatching(members[0]);
    const result = {
      ...figures,
      messages,
      rounds: measured,
      sizeBytes,
      inFlight,
      core,
      load: { before: loadBefore, after: loadavg()[0] },
      stateTransfer: stateMib > 0 ? await measureStateTransfer(stateMib * 1024 * 1024) : null,
      // query(ALL) round trips with three members of their own (bench/vsync/query-latency.ts).
      query: withQuery ? await measureQueryLatency() : null,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await jgroups?.stop();
    for (const m of members) m.command({ cmd: 'exit' });
    await Promise.all(members.map((m) => m.stop(3_000)));
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.message}\n`);
  process.stdout.write(`${JSON.stringify({ error: error.message })}\n`);
  process.exit(1);
});

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
 * `cpuUsPerMsg` {series: [CPU microseconds per message at each member, sender first]} (medians over rounds; it
 * depends far less on the machine's load than msgs/s, so it compares code versions on a busy machine);
 * `ratio` = orderedSend.oneSender / rawBatched.oneSender, `ratioJGroups` = orderedSend.oneSender /
 * jgroups.sequencer.oneSender, `ratioJGroupsAll` the same with all sending, `ratioPerWrite` = orderedSend.oneSender /
 * raw (the old figure); `load` is the 1-minute load average before and after (the machine is shared: compare
 * figures of one run only).
 *
 * The members' handlers read the 1 KB body as a view into the received message (bytesAsViews), as a handler that does
 * not keep it would; JGroups' receivers likewise read the payload array the message arrived in.
 *
 * In the throughput phases each vsync sender keeps up to --in-flight sends outstanding (each send's promise resolves
 * once the message is in the send window, so an application need not await one before issuing the next). Before the
 * measured phases, --warmup-messages unmeasured multicasts let both JITs compile the hot paths.
 *
 * The phases run --rounds times, interleaved, and each figure is the median over the rounds; every round's figures
 * are in `rounds` as well. Before them --warmup-rounds rounds of every series run unmeasured (their figures are in
 * `warmupRounds`), so raw TCP and JGroups are measured warm, as vsync is.
 *
 *   npm run bench:vsync -- [--json] [--messages 30000] [--rounds 5] [--latency-messages 300] [--size-bytes 1024]
 *                          [--warmup-messages 20000] [--warmup-rounds 3] [--in-flight 32] [--no-jgroups]
 *                          [--core '{"tickIntervalMs":2}']   (protocol bounds for every member, as JSON)
 *                          [--state-mib 1024]   (state transfer vs raw TCP of that many MiB, bench/vsync/state-transfer.ts; 0 skips)
 *                          [--no-query]   (skips the query part)
 *                          [--series orderedOne,sendOne]   (only these series; names as in `rounds`, for profiling)
 *                          [--scale 5,7]   (group sizes of the scale part; --scale 0 skips it)
 *                          [--kills 10] [--kill-members 5] [--failure-timeout-ms 1000]   (view changes; --kills 0 skips)
 *                          [--soak-minutes N]   (only the soak: all three sending orderedSend for N minutes)
 * The JSON line also carries `query` {p50Ms, p99Ms}: query(ALL) round trips among three other member processes;
 * `scale`: [{members, orderedSend {oneSender, allSenders}, send {oneSender}, rawBatched {oneSender}, ratio, rssMiB}]
 * for each size (bench/vsync/scale.ts); `viewChangeMs` {p50, p99, kills, members, failureTimeoutMs, samplesMs}: from a
 * SIGKILL to the view without the victim at every survivor, alternately the oldest member and a younger one
 * (bench/vsync/view-change.ts). With --soak-minutes the line is `{"soak":{minutes, messages, msgsPerSec, samples
 * (rssMiB and heapMiB after a full collection, per member, at the start, each minute and the end), rssGrowthMiB,
 * heapGrowthMiB, load}}` (bench/vsync/soak.ts).
 */
import { BenchCluster, PHASE, rssMiB, type ClusterSettings, type Latency, type Throughput } from './cluster';
import { measureStateTransfer } from './state-transfer';
import { measureQueryLatency } from './query-latency';
import { measureScale } from './scale';
import { measureViewChanges } from './view-change';
import { soak } from './soak';
import { JGroupsCluster, type JGroupsStack } from './jgroups/jgroups';
import { loadavg } from 'node:os';

const MEMBERS = 3;

/** An integer flag of at least `least` (1 unless 0 means "skip"). */
function argument(name: string, fallback: number, least = 1): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < least)
    throw new Error(`--${name} expects an integer of at least ${least}, got ${process.argv[at + 1]}`);
  return value;
}

function sizesArgument(): number[] {
  const at = process.argv.indexOf('--scale');
  if (at < 0) return [5, 7];
  const sizes = process.argv[at + 1]
    .split(',')
    .filter((s) => s !== '' && s !== '0')
    .map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 2))
    throw new Error(
      `--scale expects group sizes of at least 2 separated by commas, got ${process.argv[at + 1]}`,
    );
  return sizes;
}

const json = process.argv.includes('--json');
const messages = argument('messages', 30_000);
/** Interleaved repetitions of the throughput phases; medians are reported. */
const rounds = argument('rounds', 5);
const latencyMessages = argument('latency-messages', 300);
/** Unmeasured multicasts sent first, so the measured phases see JIT-compiled code rather than the interpreter. */
const warmupMessages = argument('warmup-messages', 20_000);
/**
 * Unmeasured rounds of every series (vsync, raw TCP and JGroups alike) before the measured ones: each peer's figures
 * climbed over the first rounds of a run (raw TCP from 436k to 777k msgs/s over eight rounds, JGroups FIFO with one
 * sender from 116k to 372k), as its JIT compiled its paths and its connections' buffers grew, so without these the
 * baselines were measured cold.
 */
const warmupRounds = argument('warmup-rounds', 3, 0);
const sizeBytes = argument('size-bytes', 1024);
/** Sends the sender issues before awaiting them; 1 awaits each send before the next. */
const inFlight = argument('in-flight', 32);
// With --json only the closing JSON line is printed; otherwise progress goes to stderr as well.
const core = coreBounds();
const settings: ClusterSettings = { core, sizeBytes, inFlight };
/** MiB of state moved by the state-transfer part (1024 = the 1 GiB figure; --state-mib 0 skips it for quick runs). */
const stateMib = argument('state-mib', 1024, 0);
const withJGroups = !process.argv.includes('--no-jgroups');
const withQuery = !process.argv.includes('--no-query');
/** Group sizes of the scale part (--scale 5,7; --scale 0 skips it). */
const scaleSizes = sizesArgument();
/** SIGKILLs of the view-change part (0 skips it), in a group of --kill-members, failure timeout --failure-timeout-ms. */
const kills = argument('kills', 10, 0);
const killMembers = argument('kill-members', 5, 2);
const failureTimeoutMs = argument('failure-timeout-ms', 1_000);
/** --soak-minutes N runs only the soak (full rate for N minutes, memory at start, each minute and end). */
const soakMinutes = argument('soak-minutes', 0, 0);
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

async function jgroupsBlast(
  cluster: JGroupsCluster,
  stack: JGroupsStack,
  senders: number,
): Promise<Throughput> {
  const { elapsedNs: ns } = await cluster.blast(stack, senders, messages, sizeBytes);
  const msgsPerSec = (messages * senders) / (ns / 1e9);
  return {
    msgsPerSec: Math.round(msgsPerSec),
    mbPerSec: Math.round(((msgsPerSec * sizeBytes) / 1e6) * 100) / 100,
  };
}

/** How many protocol messages the sender's transport packed per TCP frame: the batching factor. */
async function logBatching(cluster: BenchCluster): Promise<void> {
  const stats = await cluster.ask(cluster.members[0], 'stats');
  const transport = stats.transport as { framesSent: number; messagesSent: number; bytesSent: number };
  const perFrame = Math.round((transport.messagesSent / transport.framesSent) * 10) / 10;
  const core = stats.core as { retransmittedMessages: number; suspicions: number };
  log(
    `sender transport: ${transport.messagesSent} messages in ${transport.framesSent} frames (${perFrame} per frame); ` +
      `${core.retransmittedMessages} retransmitted, ${core.suspicions} suspicions`,
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

/** Per vsync series, each round's CPU microseconds per message at every member (sender first). */
const cpuRounds: Partial<Record<Series, number[][]>> = {};

/** Per vsync series, the median over rounds of each member's CPU microseconds per message: a figure that depends
 *  far less on the machine's load than msgs/s, for comparing versions of the code on a shared machine. */
function cpuMedians(): Partial<Record<Series, number[]>> {
  const out: Partial<Record<Series, number[]>> = {};
  for (const [series, perRound] of Object.entries(cpuRounds) as Array<[Series, number[][]]>)
    out[series] = perRound[0].map((_, member) => {
      const sorted = perRound.map((r) => r[member]).sort((a, b) => a - b);
      return sorted[Math.floor((sorted.length - 1) / 2)];
    });
  return out;
}

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
  vsync: BenchCluster,
  jgroups: JGroupsCluster | null,
  label: string,
  measured = true,
): Promise<Round> {
  const steps: Array<[Series, () => Promise<Throughput>]> = [
    ['rawBatchedOne', () => vsync.raw(1, true, messages)],
    ['orderedOne', () => vsync.blast(PHASE.orderedOne, 'total', 1, messages)],
    ['sendOne', () => vsync.blast(PHASE.sendOne, 'fifo', 1, messages)],
    ['rawPerWrite', () => vsync.raw(1, false, messages)],
    ['rawBatchedAll', () => vsync.raw(MEMBERS, true, messages)],
    ['orderedAll', () => vsync.blast(PHASE.orderedAll, 'total', MEMBERS, messages)],
    ['sendAll', () => vsync.blast(PHASE.sendAll, 'fifo', MEMBERS, messages)],
  ];
  if (jgroups !== null)
    steps.push(
      ['sequencerOne', () => jgroupsBlast(jgroups, 'sequencer', 1)],
      ['fifoOne', () => jgroupsBlast(jgroups, 'fifo', 1)],
      ['sequencerAll', () => jgroupsBlast(jgroups, 'sequencer', MEMBERS)],
      ['fifoAll', () => jgroupsBlast(jgroups, 'fifo', MEMBERS)],
    );
  const round: Round = {};
  for (const [series, run] of steps) {
    if (onlySeries !== undefined && !onlySeries.has(series)) continue;
    const result = await run();
    round[series] = result.msgsPerSec;
    if (measured && result.cpuUsPerMsg !== undefined) (cpuRounds[series] ??= []).push(result.cpuUsPerMsg);
  }
  log(`${label} (load ${loadavg()[0].toFixed(1)}): ${JSON.stringify(round)}`);
  return round;
}

async function warmUp(vsync: BenchCluster, jgroups: JGroupsCluster | null): Promise<void> {
  await vsync.blast(PHASE.warmup, 'total', 1, warmupMessages);
  await vsync.blast(PHASE.warmup, 'fifo', MEMBERS, warmupMessages);
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
    cpuUsPerMsg: cpuMedians(),
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
  log(`  CPU us per message, per member (sender first): ${JSON.stringify(result.cpuUsPerMsg)}`);
}

/** The three-member comparison: interleaved rounds of every series, latency at light load, RSS. */
async function compare(): Promise<ReturnType<typeof summary> & { rounds: Round[]; warmupRounds: Round[] }> {
  const vsync = await BenchCluster.start(MEMBERS, settings);
  const jgroups = withJGroups ? await JGroupsCluster.start() : null;
  try {
    await vsync.join();
    await warmUp(vsync, jgroups);
    const warmup: Round[] = [];
    for (let i = 0; i < warmupRounds; i += 1)
      warmup.push(await measureRound(vsync, jgroups, `warm-up round ${i + 1}`, false));
    const measured: Round[] = [];
    for (let i = 0; i < rounds; i += 1) measured.push(await measureRound(vsync, jgroups, `round ${i + 1}`));
    const rss = { vsync: vsync.rss(), jgroups: jgroups?.pids().map(rssMiB) ?? [] };
    const send = await vsync.latency(PHASE.sendLatency, 'fifo', latencyMessages);
    const ordered = await vsync.latency(PHASE.orderedLatency, 'total', latencyMessages);
    const figures = summary(measured, send, ordered, rss);
    logSummary(figures);
    await logBatching(vsync);
    return { ...figures, rounds: measured, warmupRounds: warmup };
  } finally {
    await jgroups?.stop();
    await vsync.stop();
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  if (soakMinutes > 0) {
    const figures = await soak(soakMinutes, messages, warmupMessages, settings);
    log(`soak: ${JSON.stringify(figures)}`);
    process.stdout.write(`${JSON.stringify({ soak: figures, sizeBytes, inFlight, core })}\n`);
    return;
  }
  const figures = await compare();
  const scale =
    scaleSizes.length === 0
      ? null
      : await measureScale(
          { sizes: scaleSizes, messages, warmupMessages, rounds: Math.min(rounds, 3) },
          settings,
        );
  log(`scale: ${JSON.stringify(scale)}`);
  const viewChangeMs =
    kills === 0
      ? null
      : await measureViewChanges(killMembers, kills, { ...settings, core: { ...core, failureTimeoutMs } });
  log(`view changes: ${JSON.stringify(viewChangeMs)}`);
  const result = {
    ...figures,
    scale,
    viewChangeMs,
    messages,
    sizeBytes,
    inFlight,
    core,
    load: { before: loadBefore, after: loadavg()[0] },
    stateTransfer: stateMib > 0 ? await measureStateTransfer(stateMib * 1024 * 1024) : null,
    // query(ALL) round trips with three members of their own (bench/vsync/query-latency.ts).
    query: withQuery ? await measureQueryLatency() : null,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.message}\n`);
  process.stdout.write(`${JSON.stringify({ error: error.message })}\n`);
  process.exit(1);
});

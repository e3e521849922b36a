/**
 * vsync benchmark: three member processes on loopback move 1 KB messages
 *   raw:         one sender writes each message to the two other processes over plain TCP sockets (the limit);
 *   send:        the same sender multicasts them with Group.send (FIFO) to the group of three;
 *   orderedSend: the same with Group.orderedSend (total order).
 * Throughput counts a message once it reached every receiver. Latency is measured at light load (one message in
 * flight) from the send call to delivery at each of the other two members. The last line printed is one JSON
 * object; `ratio` is orderedSend throughput over raw throughput, measured in the same run.
 *
 * In the throughput phases the sender keeps up to --in-flight sends outstanding (each send's promise resolves once
 * the message is in the send window, so an application need not await one before issuing the next).
 *
 * Before the measured phases, --warmup-messages unmeasured orderedSends let the JIT compile the hot paths (the raw TCP
 * loop is too simple to need it).
 *
 * The machine is shared and noisy, so the three throughput phases run --rounds times, interleaved (raw, send,
 * orderedSend, raw, ...), and each figure is the median over the rounds; `ratio` is the median orderedSend over the
 * median raw. Every round's figures are in `rounds` as well.
 *
 *   npm run bench:vsync -- [--json] [--messages 30000] [--rounds 5] [--latency-messages 300] [--size-bytes 1024]
 *                          [--warmup-messages 20000] [--in-flight 32]
 *                          [--core '{"tickIntervalMs":2}']   (protocol bounds for every member, as JSON)
 *                          [--state-mib 1024]   (state transfer vs raw TCP of that many MiB, bench/vsync/state-transfer.ts; 0 skips)
 * The JSON line also carries `query` {p50Ms, p99Ms}: query(ALL) round trips among three other member processes.
 */
import { MemberProcess, type MemberEvent } from '../../test/vsync/member-process';
import { measureStateTransfer } from './state-transfer';
import { measureQueryLatency } from './query-latency';

const PROGRAM = 'bench/vsync/member.ts';
/** Bounds each phase so a stalled run reports instead of hanging. */
const PHASE_TIMEOUT_MS = 30_000;
/** Handler (phase) id of the warm-up blast; the measured phases are 0..3. */
const WARMUP_PHASE = 4;

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

async function raw(members: MemberProcess[]): Promise<Throughput> {
  const [sender, ...receivers] = members;
  const marks = members.map((m) => m.events.length);
  for (const r of receivers) r.command({ cmd: 'rawListen', count: messages, sizeBytes });
  const ports = await Promise.all(
    receivers.map(
      async (r, i) => (await nextAfter(r, marks[i + 1], (e) => e.event === 'rawReady')).port as number,
    ),
  );
  sender.command({ cmd: 'rawSend', ports, count: messages, sizeBytes });
  const start = await within(
    'raw',
    nextAfter(sender, marks[0], (e) => e.event === 'rawStart'),
  );
  const ends = await within(
    'raw',
    Promise.all(receivers.map((r, i) => nextAfter(r, marks[i + 1], (e) => e.event === 'rawDone'))),
  );
  return throughput(messages, Math.max(...ends.map((e) => e.endNs as number)) - (start.startNs as number));
}

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
  count = messages,
): Promise<Throughput> {
  const done = await expectPhase(members, phase, count);
  const mark = members[0].events.length;
  members[0].command({ cmd: 'blast', phase, ordering, count, sizeBytes, inFlight });
  const start = await within(
    `phase ${phase}`,
    nextAfter(members[0], mark, (e) => e.event === 'blastStart' && e.phase === phase),
  );
  const ends = await Promise.all(done);
  return throughput(count, Math.max(...ends.map((e) => e.endNs as number)) - (start.startNs as number));
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

interface Round {
  raw: Throughput;
  send: Throughput;
  orderedSend: Throughput;
  ratio: number;
}

const ratioOf = (a: Throughput, b: Throughput): number =>
  Math.round((a.msgsPerSec / b.msgsPerSec) * 1000) / 1000;

/** The throughput figure of the median round for one phase (by msg/s). */
function median(values: Throughput[]): Throughput {
  const sorted = [...values].sort((a, b) => a.msgsPerSec - b.msgsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function measureRound(members: MemberProcess[], index: number): Promise<Round> {
  const rawResult = await raw(members);
  const send = await blast(members, 0, 'fifo');
  const orderedSend = await blast(members, 1, 'total');
  const round = { raw: rawResult, send, orderedSend, ratio: ratioOf(orderedSend, rawResult) };
  log(
    `round ${index + 1}: raw ${rawResult.msgsPerSec} msg/s, send ${send.msgsPerSec} msg/s, orderedSend ${orderedSend.msgsPerSec} msg/s, ratio ${round.ratio}`,
  );
  return round;
}

async function main(): Promise<void> {
  const members = await startMembers();
  try {
    await join(members);
    await blast(members, WARMUP_PHASE, 'total', warmupMessages);
    const measured: Round[] = [];
    for (let i = 0; i < rounds; i += 1) measured.push(await measureRound(members, i));
    const rawResult = median(measured.map((r) => r.raw));
    const send = { ...median(measured.map((r) => r.send)), ...(await latency(members, 2, 'fifo')) };
    const orderedSend = {
      ...median(measured.map((r) => r.orderedSend)),
      ...(await latency(members, 3, 'total')),
    };
    log(`raw TCP      ${rawResult.msgsPerSec} msg/s  ${rawResult.mbPerSec} MB/s (median of ${rounds})`);
    log(
      `send         ${send.msgsPerSec} msg/s  ${send.mbPerSec} MB/s  p50 ${send.p50Ms} ms  p99 ${send.p99Ms} ms`,
    );
    log(
      `orderedSend  ${orderedSend.msgsPerSec} msg/s  ${orderedSend.mbPerSec} MB/s  p50 ${orderedSend.p50Ms} ms  p99 ${orderedSend.p99Ms} ms`,
    );
    const ratio = ratioOf(orderedSend, rawResult);
    log(
      `ratio orderedSend/raw = ${ratio} (medians of ${rounds} rounds of ${messages} messages of ${sizeBytes} bytes, ${inFlight} in flight, 3 processes on loopback)`,
    );
    await logBatching(members[0]);
    const result = {
      raw: rawResult,
      send,
      orderedSend,
      ratio,
      messages,
      rounds: measured,
      sizeBytes,
      inFlight,
      core,
      stateTransfer: stateMib > 0 ? await measureStateTransfer(stateMib * 1024 * 1024) : null,
      // query(ALL) round trips with three members of their own (bench/vsync/query-latency.ts).
      query: await measureQueryLatency(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const m of members) m.command({ cmd: 'exit' });
    await Promise.all(members.map((m) => m.stop(3_000)));
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.message}\n`);
  process.stdout.write(`${JSON.stringify({ error: error.message })}\n`);
  process.exit(1);
});

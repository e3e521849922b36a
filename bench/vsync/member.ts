/**
 * One benchmark member process, driven by bench/vsync/main.ts over stdin/stdout (one JSON object a line).
 * It measures two ways of moving the same 1 KB messages between the same processes: plain TCP sockets (the raw
 * limit: length-prefixed messages, batched into ~64 KB writes or one write each, parsed one by one at the receiver)
 * and a vsync Group (send and orderedSend). Any member may send in any phase, so all three can send at once. Timestamps are process.hrtime, i.e. CLOCK_MONOTONIC, which all
 * processes on one Linux host share, so a receiver can subtract a sender's timestamp.
 */
import { createServer, connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Group, VsyncProcess, type Ordering } from '@gridcloud/vsync';

interface Command {
  readonly cmd: 'rawExpect' | 'rawSend' | 'join' | 'expect' | 'blast' | 'paced' | 'stats' | 'memory' | 'exit';
  readonly count?: number;
  readonly sizeBytes?: number;
  readonly ports?: number[];
  readonly phase?: number;
  readonly ordering?: Ordering;
  readonly inFlight?: number;
  readonly batched?: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as { seeds?: string[]; core?: Record<string, number> };
const nowNs = (): number => Number(process.hrtime.bigint());
const emit = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

const runtime = new VsyncProcess({
  seeds: options.seeds,
  core: { heartbeatIntervalMs: 100, failureTimeoutMs: 3_000, ...options.core },
});
const group = new Group('bench', { process: runtime });
group.onError((error) => emit({ event: 'error', name: error.name, message: error.message }));

/** Per phase: how many deliveries are expected, how many arrived, and the latencies of timed messages. */
const phases = new Map<
  number,
  { expected: number; received: number; latenciesMs: number[]; cpu: NodeJS.CpuUsage }
>();
let ownDelivered: (() => void) | undefined;

const PHASE_HANDLERS = 8;
for (let phase = 0; phase < PHASE_HANDLERS; phase += 1) {
  // The body is read where it lies, as a handler that does not keep it would: a view, not a copy (bytesAsViews).
  group.handle(phase, (sentNs: number, timed: boolean) => onDelivery(phase, sentNs, timed), {
    bytesAsViews: true,
  });
}

function onDelivery(phase: number, sentNs: number, timed: boolean): void {
  const state = phases.get(phase);
  if (state === undefined) return;
  state.received += 1;
  if (timed) state.latenciesMs.push((nowNs() - sentNs) / 1e6);
  if (timed && ownDelivered !== undefined && group.delivery!.sender.address === runtime.self.address)
    ownDelivered();
  if (state.received === state.expected) {
    // CPU this process spent since the phase was announced (user + system, microseconds): unlike msgs/s it hardly
    // depends on what else the machine runs, so it compares two versions of the code on a busy machine.
    const cpu = process.cpuUsage(state.cpu);
    emit({
      event: 'phaseDone',
      phase,
      endNs: nowNs(),
      latenciesMs: state.latenciesMs,
      cpuUs: cpu.user + cpu.system,
    });
  }
}

// ---- raw TCP: length-prefixed messages, the same bytes without the protocol ----
/** A batched writer flushes once its buffer holds this many bytes (or the loop ends): one write() per ~64 KB. */
const RAW_BATCH_BYTES = 64 * 1024;
const RAW_HEADER_BYTES = 4;

let rawExpected = 0;
let rawReceived = 0;
let rawChecksum = 0;
let rawPort: Promise<number> | undefined;

/** Reads every length-prefixed message out of a stream, across chunk boundaries, as a real receiver must. */
function rawParser(onMessage: (body: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    let buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (buffer.length - at >= RAW_HEADER_BYTES) {
      const length = buffer.readUInt32BE(at);
      if (buffer.length - at - RAW_HEADER_BYTES < length) break;
      onMessage(buffer.subarray(at + RAW_HEADER_BYTES, at + RAW_HEADER_BYTES + length));
      at += RAW_HEADER_BYTES + length;
    }
    buffer = buffer.subarray(at);
    // Copy the tail so a large chunk is not kept alive by a few bytes.
    pending = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
  };
}

function onRawMessage(body: Buffer): void {
  // Touch the body as a handler would, so a receiver cannot skip reading what it counts.
  rawChecksum = (rawChecksum + body[body.length - 1]) & 0xffff;
  rawReceived += 1;
  if (rawReceived === rawExpected) emit({ event: 'rawDone', endNs: nowNs(), checksum: rawChecksum });
}

/** One raw TCP server per member for the whole run; rawExpect resets its count for the next phase. */
function rawListen(): Promise<number> {
  const server = createServer((socket) => socket.on('data', rawParser(onRawMessage)));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

function rawConnect(ports: number[]): Promise<Socket[]> {
  return Promise.all(
    ports.map(
      (port) =>
        new Promise<Socket>((resolve) => {
          const s = connect(port, '127.0.0.1', () => resolve(s));
          s.setNoDelay(true);
        }),
    ),
  );
}

async function drained(sockets: Socket[]): Promise<void> {
  await Promise.all(
    sockets.map((s) => (s.writableNeedDrain ? new Promise((r) => s.once('drain', r)) : undefined)),
  );
}

/** Writes each buffer to every socket and waits for the kernel to take them when any socket is above its mark. */
async function rawWrite(sockets: Socket[], buffer: Buffer): Promise<void> {
  let writable = true;
  for (const socket of sockets) writable = socket.write(buffer) && writable;
  if (!writable) await drained(sockets);
}

/**
 * Sends count length-prefixed messages to every socket. Batched: each message is copied into a ~64 KB buffer that
 * is written once full (the best plain TCP does); otherwise each message gets its own write().
 */
async function rawSend(ports: number[], count: number, sizeBytes: number, batched: boolean): Promise<void> {
  const sockets = await rawConnect(ports);
  const body = Buffer.alloc(sizeBytes, 7);
  const frameBytes = RAW_HEADER_BYTES + sizeBytes;
  const perBatch = batched ? Math.max(1, Math.floor(RAW_BATCH_BYTES / frameBytes)) : 1;
  emit({ event: 'rawStart', startNs: nowNs() });
  for (let sent = 0; sent < count;) {
    const n = Math.min(perBatch, count - sent);
    const batch = Buffer.allocUnsafe(n * frameBytes);
    for (let i = 0; i < n; i += 1) {
      batch.writeUInt32BE(sizeBytes, i * frameBytes);
      body.copy(batch, i * frameBytes + RAW_HEADER_BYTES);
    }
    await rawWrite(sockets, batch);
    sent += n;
  }
  for (const socket of sockets) socket.end();
}

// ---- vsync ----
/**
 * Heavy load: up to inFlight sends outstanding at once. A send's promise resolves once the core took the message
 * into its send window, so an application may legitimately issue the next before the last settled; awaiting each
 * one would measure a round trip through the event loop per message rather than the protocol.
 */
async function blast(
  phase: number,
  ordering: Ordering,
  count: number,
  sizeBytes: number,
  inFlight: number,
): Promise<void> {
  const body = new Uint8Array(sizeBytes).fill(7);
  // Untimed: the receivers never read the timestamp (only paced messages are timed), so none is taken per message
  // (a BigInt clock read); 0 is a number like a timestamp, so the payload keeps its size.
  const sendOne = (): Promise<void> =>
    ordering === 'total' ? group.orderedSend(phase, 0, false, body) : group.send(phase, 0, false, body);
  emit({ event: 'blastStart', phase, startNs: nowNs() });
  let window: Array<Promise<void>> = [];
  for (let i = 0; i < count; i += 1) {
    window.push(sendOne());
    if (window.length >= inFlight) {
      await Promise.all(window);
      window = [];
    }
  }
  await Promise.all(window);
}

/** Light load: one message in flight; the next leaves a millisecond after this process delivered its own. */
async function paced(phase: number, ordering: Ordering, count: number, sizeBytes: number): Promise<void> {
  const body = new Uint8Array(sizeBytes).fill(7);
  for (let i = 0; i < count; i += 1) {
    const delivered = new Promise<void>((resolve) => (ownDelivered = resolve));
    await (ordering === 'total'
      ? group.orderedSend(phase, nowNs(), true, body)
      : group.send(phase, nowNs(), true, body));
    await delivered;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  ownDelivered = undefined;
}

/** A full collection before the heap is read, so `memory` reports what is live rather than when the GC last ran. */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function memory(): Record<string, unknown> {
  collectGarbage();
  const { rss, heapUsed } = process.memoryUsage();
  const mib = (bytes: number): number => Math.round(bytes / 104_857.6) / 10;
  return { event: 'memory', rssMiB: mib(rss), heapMiB: mib(heapUsed) };
}

async function onCommand(c: Command): Promise<void> {
  if (c.cmd === 'rawExpect') {
    rawExpected = c.count ?? 0;
    rawReceived = 0;
    emit({ event: 'rawReady', port: await (rawPort ??= rawListen()) });
  } else if (c.cmd === 'rawSend')
    await rawSend(c.ports ?? [], c.count ?? 0, c.sizeBytes ?? 1024, c.batched ?? true);
  else if (c.cmd === 'join') {
    await group.join();
    emit({ event: 'joined' });
  } else if (c.cmd === 'expect') {
    phases.set(c.phase!, { expected: c.count ?? 0, received: 0, latenciesMs: [], cpu: process.cpuUsage() });
    emit({ event: 'expecting', phase: c.phase });
  } else if (c.cmd === 'blast')
    await blast(c.phase!, c.ordering ?? 'total', c.count ?? 0, c.sizeBytes ?? 1024, c.inFlight ?? 1);
  else if (c.cmd === 'paced') await paced(c.phase!, c.ordering ?? 'total', c.count ?? 0, c.sizeBytes ?? 1024);
  else if (c.cmd === 'stats')
    emit({ event: 'stats', ...runtime.stats(), rssBytes: process.memoryUsage().rss });
  else if (c.cmd === 'memory') emit(memory());
  else if (c.cmd === 'exit') {
    await runtime.shutdown();
    process.exit(0);
  }
}

async function main(): Promise<void> {
  await runtime.start();
  group.onView((view) =>
    emit({
      event: 'view',
      id: view.id,
      size: view.members.length,
      members: view.members.map((m) => m.address),
      atNs: nowNs(),
    }),
  );
  emit({ event: 'ready', address: runtime.self.address });
  createInterface({ input: process.stdin }).on('line', (line) => {
    onCommand(JSON.parse(line) as Command).catch((error: Error) =>
      emit({ event: 'error', name: error.name, message: error.message }),
    );
  });
}

main().catch((error: Error) => {
  emit({ event: 'error', name: error.name, message: error.message });
  process.exit(1);
});

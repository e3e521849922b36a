/**
 * One benchmark member process, driven by bench/vsync/main.ts over stdin/stdout (one JSON object a line).
 * It measures two ways of moving the same 1 KB messages between the same processes: plain TCP sockets (the raw
 * limit) and a vsync Group (send and orderedSend). Timestamps are process.hrtime, i.e. CLOCK_MONOTONIC, which all
 * processes on one Linux host share, so a receiver can subtract a sender's timestamp.
 */
import { createServer, connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { Group, VsyncProcess, type Ordering } from '@gridcloud/vsync';

interface Command {
  readonly cmd: 'rawListen' | 'rawSend' | 'join' | 'expect' | 'blast' | 'paced' | 'stats' | 'exit';
  readonly count?: number;
  readonly sizeBytes?: number;
  readonly ports?: number[];
  readonly phase?: number;
  readonly ordering?: Ordering;
  readonly inFlight?: number;
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
const phases = new Map<number, { expected: number; received: number; latenciesMs: number[] }>();
let ownDelivered: (() => void) | undefined;

const PHASE_HANDLERS = 8;
for (let phase = 0; phase < PHASE_HANDLERS; phase += 1) {
  group.handle(phase, (sentNs: number, timed: boolean) => onDelivery(phase, sentNs, timed));
}

function onDelivery(phase: number, sentNs: number, timed: boolean): void {
  const state = phases.get(phase);
  if (state === undefined) return;
  state.received += 1;
  if (timed) state.latenciesMs.push((nowNs() - sentNs) / 1e6);
  if (timed && ownDelivered !== undefined && group.delivery!.sender.address === runtime.self.address)
    ownDelivered();
  if (state.received === state.expected)
    emit({ event: 'phaseDone', phase, endNs: nowNs(), latenciesMs: state.latenciesMs });
}

// ---- raw TCP: length-prefixed 1 KB messages, the same bytes without the protocol ----
let rawExpected = 0;
let rawReceived = 0;

function rawListen(count: number): Promise<number> {
  rawExpected = count;
  rawReceived = 0;
  const server = createServer((socket) => {
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      // Count whole frames only; each is a 4-byte length and its body.
      pending += chunk.length;
      const frameBytes = 4 + rawSizeBytes;
      const frames = Math.floor(pending / frameBytes);
      pending -= frames * frameBytes;
      rawReceived += frames;
      if (frames > 0 && rawReceived === rawExpected) emit({ event: 'rawDone', endNs: nowNs() });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}
let rawSizeBytes = 1024;

async function rawSend(ports: number[], count: number, sizeBytes: number): Promise<void> {
  const sockets = await Promise.all(
    ports.map(
      (port) =>
        new Promise<Socket>((resolve) => {
          const s = connect(port, '127.0.0.1', () => resolve(s));
          s.setNoDelay(true);
        }),
    ),
  );
  const frame = Buffer.alloc(4 + sizeBytes, 7);
  frame.writeUInt32BE(sizeBytes, 0);
  emit({ event: 'rawStart', startNs: nowNs() });
  for (let i = 0; i < count; i += 1) {
    let writable = true;
    for (const socket of sockets) writable = socket.write(frame) && writable;
    if (!writable)
      await Promise.all(
        sockets.map((s) => (s.writableNeedDrain ? new Promise((r) => s.once('drain', r)) : undefined)),
      );
  }
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
  const sendOne = (): Promise<void> =>
    ordering === 'total'
      ? group.orderedSend(phase, nowNs(), false, body)
      : group.send(phase, nowNs(), false, body);
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

async function onCommand(c: Command): Promise<void> {
  if (c.cmd === 'rawListen') {
    rawSizeBytes = c.sizeBytes ?? 1024;
    emit({ event: 'rawReady', port: await rawListen(c.count ?? 0) });
  } else if (c.cmd === 'rawSend') await rawSend(c.ports ?? [], c.count ?? 0, c.sizeBytes ?? 1024);
  else if (c.cmd === 'join') {
    await group.join();
    emit({ event: 'joined' });
  } else if (c.cmd === 'expect') {
    phases.set(c.phase!, { expected: c.count ?? 0, received: 0, latenciesMs: [] });
    emit({ event: 'expecting', phase: c.phase });
  } else if (c.cmd === 'blast')
    await blast(c.phase!, c.ordering ?? 'total', c.count ?? 0, c.sizeBytes ?? 1024, c.inFlight ?? 1);
  else if (c.cmd === 'paced') await paced(c.phase!, c.ordering ?? 'total', c.count ?? 0, c.sizeBytes ?? 1024);
  else if (c.cmd === 'stats') emit({ event: 'stats', ...runtime.stats() });
  else if (c.cmd === 'exit') {
    await runtime.shutdown();
    process.exit(0);
  }
}

async function main(): Promise<void> {
  await runtime.start();
  group.onView((view) => emit({ event: 'view', id: view.id, size: view.members.length }));
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

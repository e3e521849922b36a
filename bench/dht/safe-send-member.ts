/**
 * One member process of the safeSend measurement (bench/dht/safe-send.ts) and of test/vsync-safesend.proc.ts,
 * driven over stdin/stdout (one JSON object a line). It joins the group `safe` (logged mode when `logDir` is given;
 * with `recoverMembers`, recovering the group's safeSends from the logs first) and multicasts with safeSend or
 * orderedSend. Timestamps are process.hrtime (CLOCK_MONOTONIC, shared by the processes of one host).
 */
import { createInterface } from 'node:readline';
import { Group, VsyncProcess } from '@gridcloud/vsync';

interface Options {
  readonly name: string;
  readonly port?: number;
  readonly seeds?: string[];
  readonly logDir?: string;
  readonly recoverMembers?: number;
  /** Print one `delivered` event per message (the process test reads the order from them). */
  readonly trace?: boolean;
  readonly core?: Record<string, number>;
}

interface Command {
  readonly cmd: 'join' | 'expect' | 'blast' | 'paced' | 'exit';
  readonly phase?: number;
  readonly count?: number;
  readonly ordering?: 'total' | 'safe';
  readonly sizeBytes?: number;
  readonly inFlight?: number;
}

/** The one handler: (phase, message id, send time in ns, padding). */
const RECORD = 0;

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const nowNs = (): number => Number(process.hrtime.bigint());
const emit = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

const runtime = new VsyncProcess({
  bindPort: options.port ?? 0,
  seeds: options.seeds,
  safeLogDir: options.logDir,
  core: { heartbeatIntervalMs: 100, failureTimeoutMs: 1_500, ...options.core },
});
const group = new Group('safe', { process: runtime });
group.onError((error) => emit({ event: 'error', name: error.name, message: error.message }));
group.onView((view) => emit({ event: 'view', size: view.members.length, viewId: view.id }));
if (options.recoverMembers !== undefined)
  group.recoverSafeSends({ members: options.recoverMembers, timeoutMs: 60_000 });

const phases = new Map<number, { expected: number; received: number; latenciesMs: number[] }>();
const ownDelivered = new Map<string, () => void>();

group.handle(RECORD, (phase: number, id: string, sentNs: number) => {
  const context = group.delivery!;
  if (options.trace)
    emit({ event: 'delivered', id, ordering: context.ordering, recovered: context.viewId === 0 });
  ownDelivered.get(id)?.();
  const state = phases.get(phase);
  if (state === undefined || context.viewId === 0) return;
  state.received += 1;
  state.latenciesMs.push((nowNs() - sentNs) / 1e6);
  if (state.received === state.expected)
    emit({ event: 'phaseDone', phase, endNs: nowNs(), latenciesMs: state.latenciesMs });
});

let sent = 0;
function send(c: Command, pad: Uint8Array): { id: string; done: Promise<void> } {
  const id = `${options.name}/${c.phase}/${++sent}`;
  const args = [c.phase, id, nowNs(), pad];
  const done = c.ordering === 'safe' ? group.safeSend(RECORD, ...args) : group.orderedSend(RECORD, ...args);
  return { id, done };
}

/** Sends `count` messages keeping `inFlight` unresolved sends (into the window) at a time. */
async function blast(c: Command): Promise<void> {
  const pad = new Uint8Array(c.sizeBytes ?? 0);
  emit({ event: 'blastStart', phase: c.phase, startNs: nowNs() });
  const window: Promise<void>[] = [];
  for (let i = 0; i < c.count!; i++) {
    window.push(send(c, pad).done);
    if (window.length >= (c.inFlight ?? 64)) await window.shift();
  }
  await Promise.all(window);
  emit({ event: 'blastSent', phase: c.phase });
}

/** One message at a time: the next leaves once this member delivered the previous one (light-load latency). */
async function paced(c: Command): Promise<void> {
  const pad = new Uint8Array(c.sizeBytes ?? 0);
  for (let i = 0; i < c.count!; i++) {
    const delivered = new Promise<void>((resolve) =>
      ownDelivered.set(`${options.name}/${c.phase}/${sent + 1}`, resolve),
    );
    await send(c, pad).done;
    await delivered;
  }
}

async function run(c: Command): Promise<void> {
  switch (c.cmd) {
    case 'join':
      await group.join();
      return emit({ event: 'joined', recovered: group.recoveredSafeSends });
    case 'expect':
      phases.set(c.phase!, { expected: c.count!, received: 0, latenciesMs: [] });
      return emit({ event: 'expecting', phase: c.phase });
    case 'blast':
      return blast(c);
    case 'paced':
      return paced(c);
    case 'exit':
      await group.close();
      process.exit(0);
  }
}

await runtime.start();
emit({ event: 'ready', address: runtime.self.address });
createInterface({ input: process.stdin }).on('line', (line) => {
  run(JSON.parse(line) as Command).catch((error: Error) =>
    emit({ event: 'error', name: error.name, message: error.message }),
  );
});

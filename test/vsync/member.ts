/**
 * One group member as a real OS process, driven over stdin and reporting on stdout, one JSON object a line.
 * Started by the cross-process tests as `node --import tsx test/vsync/member.ts '<json options>'`.
 *
 * Several groups may share the member's one process runtime (option "groups").
 * Commands (stdin): {"cmd":"join"|"leave","group"} | {"cmd":"send","group","count":N,"ordering":"fifo"|"total",
 *                   "bytes":B (pads each message with B bytes), "firstSeq":S (default 0),
 *                   "intervalMs":I (pause between messages, default none)} | {"cmd":"update","group","count":N,"key"}
 *                   | {"cmd":"flush","group"} | {"cmd":"cut","to":"host:port"} (drop everything sent there)
 *                   | {"cmd":"stats"} | {"cmd":"exit"} (a graceful shutdown)
 * Events (stdout):  ready, joined, left, view, systemView, deliver, update, sent, sendDone, updateDone, flushed,
 *                   stats, error, closed.
 * A delivered message carries the sending member's name and its sequence number, so the test can check FIFO,
 * total order and integrity from the logs alone.
 */
import { createInterface } from 'node:readline';
import {
  FaultInjector,
  formatProcess,
  Group,
  VsyncProcess,
  type FaultOptions,
  type Ordering,
} from '@gridcloud/vsync';

interface MemberOptions {
  readonly name: string;
  /** One group, or several sharing this process's runtime. */
  readonly group?: string;
  readonly groups?: string[];
  readonly seeds?: string[];
  /** A fixed port, kept across restarts (as a host agent gives each instance); default ephemeral. */
  readonly bindPort?: number;
  /** Where to listen and what others dial; default loopback (a member in its own network namespace needs more). */
  readonly bindHost?: string;
  readonly heartbeatIntervalMs?: number;
  readonly failureTimeoutMs?: number;
  readonly sendWindowMessages?: number;
  readonly membershipServiceSize?: number;
  readonly rejoinOnExclusion?: boolean;
  readonly faults?: FaultOptions;
}

interface Command {
  readonly cmd: 'join' | 'leave' | 'send' | 'update' | 'flush' | 'cut' | 'stats' | 'exit';
  readonly group?: string;
  readonly count?: number;
  readonly firstSeq?: number;
  readonly intervalMs?: number;
  readonly bytes?: number;
  readonly to?: string;
  readonly ordering?: Ordering;
  readonly key?: string;
}

/** Handler ids, registered alike on every member. */
const MESSAGE = 1;
const UPDATE = 2;
const options = JSON.parse(process.argv[2] ?? '{}') as MemberOptions;
const names = options.groups ?? [options.group ?? 'test'];

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

// Always a fault layer (by default a faultless one), so a test can cut one direction of a link at run time.
const faults = new FaultInjector(options.faults ?? {});
const runtime = new VsyncProcess({
  seeds: options.seeds,
  bindPort: options.bindPort,
  bindHost: options.bindHost,
  rejoinOnExclusion: options.rejoinOnExclusion ?? false,
  faults,
  core: {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
    failureTimeoutMs: options.failureTimeoutMs ?? 1_500,
    sendWindowMessages: options.sendWindowMessages,
    membershipServiceSize: options.membershipServiceSize,
  },
});
const groups = new Map(names.map((name) => [name, openGroup(name)]));

function openGroup(name: string): Group {
  const group = new Group(name, { process: runtime });
  const state = new Map<string, number>();
  group.onView((view) =>
    emit({
      event: 'view',
      group: name,
      // The system view deciding it, the number a delivery's viewId names; the group's own count beside it.
      id: view.systemViewId,
      groupViewId: view.id,
      members: view.members.map(formatProcess),
      joined: view.joined.map(formatProcess),
      left: view.left.map(formatProcess),
      failed: view.failed.map(formatProcess),
      rank: view.rankOf(runtime.self),
    }),
  );
  group.onError((error) =>
    emit({
      event: 'error',
      group: name,
      name: error.name,
      message: error.message,
      incarnation: runtime.self.incarnation,
    }),
  );
  // The padding argument only gives the message its size; it is not reported.
  group.handle(MESSAGE, (from: string, seq: number) => {
    const delivery = group.delivery!;
    emit({
      event: 'deliver',
      group: name,
      from,
      seq,
      sender: formatProcess(delivery.sender),
      viewId: delivery.viewId,
      ordering: delivery.ordering,
      at: Date.now(),
    });
  });
  // The replicated-variable example of Isis2: every member applies the same updates in the same order.
  group.handle(UPDATE, (key: string, value: number) => {
    state.set(key, value);
    emit({ event: 'update', group: name, key, value, sender: formatProcess(group.delivery!.sender) });
  });
  return group;
}

function groupOf(command: Command): Group {
  const group = groups.get(command.group ?? names[0]);
  if (group === undefined) throw new Error(`no group ${command.group}`);
  return group;
}

async function sendAll(group: Group, command: Command): Promise<void> {
  const count = command.count ?? 0;
  const firstSeq = command.firstSeq ?? 0;
  const ordering = command.ordering ?? 'total';
  const padding = new Uint8Array(command.bytes ?? 0);
  for (let seq = firstSeq; seq < firstSeq + count; seq += 1) {
    // The identity is taken before the send: a member excluded meanwhile rejoins as another incarnation.
    const sender = formatProcess(runtime.self);
    await (ordering === 'total'
      ? group.orderedSend(MESSAGE, options.name, seq, padding)
      : group.send(MESSAGE, options.name, seq, padding));
    emit({ event: 'sent', group: group.name, seq, sender });
    if (command.intervalMs !== undefined)
      await new Promise((resolve) => setTimeout(resolve, command.intervalMs));
  }
  emit({ event: 'sendDone', group: group.name, count });
}

async function updateAll(group: Group, command: Command): Promise<void> {
  for (let i = 0; i < (command.count ?? 0); i += 1)
    await group.orderedSend(UPDATE, command.key ?? 'Harry', Math.round(Math.random() * 10_000) / 100);
  emit({ event: 'updateDone', group: group.name });
}

async function onCommand(command: Command): Promise<void> {
  if (command.cmd === 'stats') return emit({ event: 'stats', ...runtime.stats() });
  if (command.cmd === 'cut') return faults.cut(command.to ?? '');
  if (command.cmd === 'exit') {
    await runtime.shutdown();
    emit({ event: 'closed' });
    process.exit(0);
  }
  const group = groupOf(command);
  if (command.cmd === 'join') {
    await group.join();
    emit({ event: 'joined', group: group.name });
  } else if (command.cmd === 'leave') {
    await group.leave();
    emit({ event: 'left', group: group.name });
  } else if (command.cmd === 'send') {
    await sendAll(group, command);
  } else if (command.cmd === 'update') {
    await updateAll(group, command);
  } else if (command.cmd === 'flush') {
    await group.flush();
    emit({ event: 'flushed', group: group.name, at: Date.now() });
  }
}

runtime.onSystemView((view) =>
  emit({ event: 'systemView', id: view.id, members: view.members.map(formatProcess) }),
);

async function main(): Promise<void> {
  await runtime.start();
  emit({ event: 'ready', address: runtime.self.address, id: formatProcess(runtime.self) });
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

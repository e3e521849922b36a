/**
 * One group member under attack, as a real OS process: `node --import tsx test/hostile/vsync-member.ts '<json>'`.
 *
 * Options: name, group, seeds, secret, bindPort, rejoinOnExclusion, and transport bounds (idleTimeoutMs,
 * helloTimeoutMs, maxConnections, maxBufferedFrameBytesTotal). Commands on stdin, one JSON object a line:
 *   {"cmd":"join"} | {"cmd":"send","tag":T,"count":N} | {"cmd":"stats"} | {"cmd":"exit"}
 * Events on stdout: ready, joined, view, systemView, deliver (tag, seq, sender), sendDone, stats (runtime stats plus
 * rssMb and maxRssMb), error, closed.
 */
import { createInterface } from 'node:readline';
import { formatProcess, Group, VsyncProcess } from '@gridcloud/vsync';

interface MemberOptions {
  readonly name: string;
  readonly group?: string;
  readonly seeds?: string[];
  readonly secret?: string;
  readonly bindPort?: number;
  readonly rejoinOnExclusion?: boolean;
  readonly failureTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  readonly maxConnections?: number;
  readonly maxBufferedFrameBytesTotal?: number;
}

interface Command {
  readonly cmd: 'join' | 'send' | 'stats' | 'exit';
  readonly tag?: string;
  readonly count?: number;
}

/** The one handler id every member registers; attackers forge calls to it. */
export const TAGGED = 1;

const options = JSON.parse(process.argv[2] ?? '{}') as MemberOptions;
const emit = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

const runtime = new VsyncProcess({
  seeds: options.seeds,
  bindPort: options.bindPort,
  secret: options.secret,
  rejoinOnExclusion: options.rejoinOnExclusion ?? true,
  core: { heartbeatIntervalMs: 100, failureTimeoutMs: options.failureTimeoutMs ?? 1_500 },
  transport: {
    idleTimeoutMs: options.idleTimeoutMs,
    helloTimeoutMs: options.helloTimeoutMs,
    maxConnections: options.maxConnections,
    maxBufferedFrameBytesTotal: options.maxBufferedFrameBytesTotal,
  },
});
const group = new Group(options.group ?? 'hostile', { process: runtime });
group.onView((view) =>
  emit({
    event: 'view',
    id: view.id,
    members: view.members.map(formatProcess),
    self: formatProcess(runtime.self),
  }),
);
group.onError((error) => emit({ event: 'error', name: error.name, message: error.message }));
group.handle(TAGGED, (tag: string, seq: number) =>
  emit({ event: 'deliver', tag, seq, sender: formatProcess(group.delivery!.sender) }),
);
runtime.onSystemView((view) =>
  emit({ event: 'systemView', id: view.id, members: view.members.map(formatProcess) }),
);

function stats(): Record<string, unknown> {
  const usage = process.resourceUsage();
  return {
    event: 'stats',
    ...runtime.stats(),
    rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    maxRssMb: Math.round(usage.maxRSS / 1024),
  };
}

async function onCommand(command: Command): Promise<void> {
  if (command.cmd === 'stats') return emit(stats());
  if (command.cmd === 'exit') {
    await runtime.shutdown();
    emit({ event: 'closed' });
    process.exit(0);
  }
  if (command.cmd === 'join') {
    await group.join();
    return emit({ event: 'joined', self: formatProcess(runtime.self) });
  }
  for (let seq = 0; seq < (command.count ?? 1); seq += 1) await group.send(TAGGED, command.tag ?? 'x', seq);
  emit({ event: 'sendDone', tag: command.tag });
}

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

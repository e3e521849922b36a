/**
 * One group member under attack, as a real OS process: `node --import tsx test/hostile/vsync-member.ts '<json>'`.
 *
 * Options: name, group, seeds, secret, groupSecret (the group's own key), tls ({certFile, keyFile, caFile}), bindPort,
 * rejoinOnExclusion, and transport bounds (idleTimeoutMs, helloTimeoutMs, maxConnections, maxBufferedFrameBytesTotal).
 * Commands on stdin, one JSON object a line:
 *   {"cmd":"join"} | {"cmd":"send","tag":T,"count":N} | {"cmd":"p2p","to":ID,"tag":T} | {"cmd":"stats"} |
 *   {"cmd":"exit"}
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
  readonly groupSecret?: string;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  readonly bindPort?: number;
  readonly rejoinOnExclusion?: boolean;
  readonly failureTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  readonly maxConnections?: number;
  readonly maxBufferedFrameBytesTotal?: number;
}

interface Command {
  readonly cmd: 'join' | 'send' | 'p2p' | 'stats' | 'exit';
  readonly tag?: string;
  /** The member a p2p message goes to, as formatProcess writes it ("host:port/incarnation"). */
  readonly to?: string;
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
  tls: options.tls,
  rejoinOnExclusion: options.rejoinOnExclusion ?? true,
  core: { heartbeatIntervalMs: 100, failureTimeoutMs: options.failureTimeoutMs ?? 1_500 },
  transport: {
    idleTimeoutMs: options.idleTimeoutMs,
    helloTimeoutMs: options.helloTimeoutMs,
    maxConnections: options.maxConnections,
    maxBufferedFrameBytesTotal: options.maxBufferedFrameBytesTotal,
  },
});
const group = new Group(options.group ?? 'hostile', {
  process: runtime,
  groupSecret: options.groupSecret,
});
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
  if (command.cmd === 'p2p') {
    const slash = (command.to ?? '').lastIndexOf('/');
    const to = { address: command.to!.slice(0, slash), incarnation: Number(command.to!.slice(slash + 1)) };
    await group.p2pSend(to, TAGGED, command.tag ?? 'x', 0);
    return emit({ event: 'p2pDone', tag: command.tag });
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

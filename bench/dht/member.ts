/**
 * One member of the DHT benchmark (bench/dht/main.ts) and of test/vsync-dht.proc.ts, driven over stdin/stdout, one
 * JSON object a line. It serves a DhtMember (replication from the options) in group `dht`, prints `ready` and each
 * `view` with its shard's state, and on {"cmd":"ordered","count","window"} times that many orderedSends from here to
 * their delivery back here (the total order is only known once every member announced a later clock), reporting
 * msgs/s and each latency. {"cmd":"shard"} prints the keys it holds; {"cmd":"exit"} leaves gracefully.
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { DhtMember, formatProcess, Group, processKey, VsyncProcess } from '@gridcloud/vsync';

const ORDERED = 1;
const options = JSON.parse(process.argv[2] ?? '{}') as {
  seeds?: string[];
  founder?: boolean;
  replication?: number;
};
const emit = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

const runtime = new VsyncProcess({ seeds: options.seeds, founder: options.founder, shutdownLingerMs: 50 });
const group = new Group('dht', { process: runtime });
const dht = new DhtMember(group, { replication: options.replication ?? 2 });
const sentAt = new Map<number, number>();
const latenciesMs: number[] = [];
let awaited = 0;
let finished: (() => void) | null = null;
let wake: (() => void) | null = null;

group.handle(ORDERED, (seq: number) => {
  const started = sentAt.get(seq);
  if (started === undefined) return;
  sentAt.delete(seq);
  latenciesMs.push(performance.now() - started);
  wake?.();
  if (--awaited === 0) finished?.();
});
group.onView((view) => {
  const shard = dht.shard;
  emit({ event: 'view', id: view.id, members: view.members.map(processKey), filled: shard.filled });
  void waitFilled(view.id);
});
group.onError((error) => emit({ event: 'error', name: error.name, message: error.message }));

/** Reports when this member's move into the view completed (reads no longer wait). */
async function waitFilled(viewId: number): Promise<void> {
  while (!dht.shard.filled && group.view?.id === viewId) await new Promise((r) => setTimeout(r, 10));
  if (group.view?.id === viewId) emit({ event: 'filled', id: viewId, keys: dht.shard.size });
}

async function ordered(count: number, window: number): Promise<void> {
  latenciesMs.length = 0;
  awaited = count;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const started = performance.now();
  for (let seq = 0; seq < count; seq++) {
    // At most `window` messages between send and delivery: the latency is then not the queue's length.
    while (sentAt.size >= window) await new Promise<void>((resolve) => (wake = resolve));
    sentAt.set(seq, performance.now());
    await group.orderedSend(ORDERED, seq);
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  emit({ event: 'ordered', msgsPerSec: count / seconds, latenciesMs });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; count?: number; window?: number };
  if (command.cmd === 'ordered')
    ordered(command.count ?? 5_000, command.window ?? 256).catch((error: Error) =>
      emit({ event: 'error', name: error.name, message: error.message }),
    );
  if (command.cmd === 'shard')
    emit({ event: 'shard', keys: [...dht.shard.entries()].map((e) => e.key), filled: dht.shard.filled });
  if (command.cmd === 'exit') void runtime.shutdown().then(() => process.exit(0));
});

await group.join();
emit({
  event: 'ready',
  address: runtime.self.address,
  id: formatProcess(runtime.self),
  key: processKey(runtime.self),
});

/**
 * One member of the query latency benchmark (bench/vsync/query-latency.ts), driven over stdin/stdout, one JSON object
 * a line. Every member answers GET with a small value; on {"cmd":"query","count","warmup"} this member runs that
 * many query(ALL) calls one after another (after `warmup` unmeasured ones) and reports each round trip in ms.
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { ALL, formatProcess, Group, VsyncProcess } from '@gridcloud/vsync';

const GET = 1;
const options = JSON.parse(process.argv[2] ?? '{}') as { seeds?: string[]; founder?: boolean };
const emit = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

const runtime = new VsyncProcess({ seeds: options.seeds, founder: options.founder, shutdownLingerMs: 50 });
const group = new Group('query-bench', { process: runtime });
group.handle(GET, (key: string) => ({ key, value: 42 }));
group.onView((view) => emit({ event: 'view', members: view.members.length }));
group.onError((error) => emit({ event: 'error', name: error.name, message: error.message }));

async function queries(count: number, warmup: number): Promise<void> {
  for (let i = 0; i < warmup; i++) await group.query(ALL, GET, 'warm');
  const latenciesMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const replies = await group.query(ALL, GET, 'k');
    latenciesMs.push(performance.now() - started);
    if (replies.length !== group.view!.members.length) throw new Error(`only ${replies.length} replies`);
  }
  emit({ event: 'latencies', latenciesMs });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; count?: number; warmup?: number };
  if (command.cmd === 'query')
    queries(command.count ?? 1_000, command.warmup ?? 200).catch((error: Error) =>
      emit({ event: 'error', name: error.name, message: error.message }),
    );
  if (command.cmd === 'exit') void runtime.shutdown().then(() => process.exit(0));
});

await group.join();
emit({ event: 'ready', address: runtime.self.address, id: formatProcess(runtime.self) });

/**
 * The subscriber of the subscription process test: a process in the system but not in the group it watches (it joins
 * `clients` to enter the system) that subscribes to the group through a GroupClient. Prints one JSON object a line:
 * started (its representative), msg (each delivery of member.ts's MESSAGE handler: sender name and sequence), gap,
 * dropped, error, and on the `stats` command its subscription's counters.
 */
import { createInterface } from 'node:readline';
import { formatProcess, Group, GroupClient, VsyncProcess } from '@gridcloud/vsync';

interface Options {
  readonly seeds: string[];
  readonly group: string;
}

/** member.ts's MESSAGE handler id: (name, seq, padding). */
const MESSAGE = 1;
const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

async function main(): Promise<void> {
  const vsync = new VsyncProcess({ seeds: options.seeds, founder: false, shutdownLingerMs: 50 });
  await new Group('clients', { process: vsync }).join();
  const client = new GroupClient(options.group, vsync, { failoverMarginMs: 1_500 });
  const subscription = client.subscribe(
    (m) => {
      if (m.handlerId === MESSAGE) print({ event: 'msg', from: m.args[0], seq: m.args[1], viewId: m.viewId });
    },
    {
      pollWaitMs: 500,
      onGap: (gap) => print({ event: 'gap', ...gap }),
      onDropped: (reason) => print({ event: 'dropped', reason }),
      onError: (error) => print({ event: 'error', name: error.name, message: error.message }),
    },
  );
  print({ event: 'ready', id: formatProcess(vsync.self) });
  while (subscription.position === null) await new Promise((resolve) => setTimeout(resolve, 20));
  print({ event: 'started', rep: client.representative?.address });
  createInterface({ input: process.stdin }).on('line', () =>
    print({ event: 'stats', rep: client.representative?.address, ...subscription.stats }),
  );
  process.once('SIGTERM', () => void vsync.shutdown().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `subscriber: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

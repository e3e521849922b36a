/**
 * The client of the query process test: a process in the system but not in group `register` (it joins `clients` to
 * enter the system) that calls the group through a GroupClient, over and over: an orderedSend of put(i), then an
 * orderedQuery(ALL) of get. Prints one JSON object a line: ready, answer (i, the replies, the representative it went
 * through), error. Stops after `rounds` rounds or on SIGTERM.
 */
import { formatProcess, Group, GroupClient, ALL, VsyncProcess } from '@gridcloud/vsync';
import { messageHandlerId } from '@gridcloud/nest-vsync';

interface Options {
  readonly seeds: string[];
  readonly rounds: number;
  readonly pauseMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);
const PUT = messageHandlerId('put');
const GET = messageHandlerId('get');

async function main(): Promise<void> {
  const vsync = new VsyncProcess({ seeds: options.seeds, founder: false, shutdownLingerMs: 50 });
  const lobby = new Group('clients', { process: vsync });
  await lobby.join();
  const client = new GroupClient('register', vsync, { failoverMarginMs: 1_500 });
  print({ event: 'ready', id: formatProcess(vsync.self) });
  process.once('SIGTERM', () => void vsync.shutdown().then(() => process.exit(0)));
  for (let i = 1; i <= options.rounds; i++) {
    try {
      await client.orderedSend(PUT, i);
      const replies = await client.orderedQuery(ALL, GET, { timeoutMs: 4_000 });
      print({ event: 'answer', i, replies, rep: client.representative?.address });
    } catch (error) {
      print({ event: 'error', i, name: (error as Error).name, message: (error as Error).message });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  print({ event: 'done' });
  await vsync.shutdown();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `client: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

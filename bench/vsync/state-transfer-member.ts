/**
 * A member of the state-transfer benchmark (bench/vsync/state-transfer.ts). Argument: JSON { name, seeds?, bytes }.
 * The holder (no seeds) founds the group with a state of `bytes` bytes and serves a raw TCP copy of the same bytes;
 * the joiner first takes the raw copy, then joins with state transfer. Prints JSON lines: ready, rawDone, joined.
 */
import { createServer, connect } from 'node:net';
import { Group } from '@gridcloud/vsync';

interface Options {
  readonly name: string;
  readonly seeds?: string[];
  readonly bytes: number;
  readonly rawPort?: number;
}

/** Bytes per checkpoint chunk and per raw write: large writes are what a bulk copy is made of. */
const CHUNK_BYTES = 4 * 1024 * 1024;
const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (event: string, fields: Record<string, unknown> = {}): void =>
  void process.stdout.write(`${JSON.stringify({ event, name: options.name, ...fields })}\n`);

function chunksOf(state: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < state.length; at += CHUNK_BYTES) chunks.push(state.subarray(at, at + CHUNK_BYTES));
  return chunks;
}

async function holder(): Promise<void> {
  const state = Buffer.alloc(options.bytes, 0xa5);
  const group = new Group('state-bench', { founder: true }).stateTransfer({
    makeCheckpoint: () => chunksOf(state),
    loadCheckpoint: () => undefined,
    chunkBytes: CHUNK_BYTES,
    // The holder keeps the checkpoint in memory (as the raw copy reads from memory); by default a checkpoint above
    // 64 MiB goes to a spool file, and the disk's write speed then bounds the transfer.
    memorySpoolBytes: options.bytes,
  });
  await group.join();
  // The raw copy: the same bytes over a plain socket, written in large chunks and paced by 'drain'.
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    void (async () => {
      for (const chunk of chunksOf(state))
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
      socket.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const rawPort = (server.address() as { port: number }).port;
  print('ready', { address: group.process.self.address, rawPort });
  process.stdin.on('data', () => undefined).on('end', () => process.exit(0));
}

async function rawCopy(port: number): Promise<number> {
  const started = process.hrtime.bigint();
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('data', (chunk: Buffer) => void (received += chunk.length));
    socket.on('end', resolve);
    socket.on('error', reject);
  });
  if (received !== options.bytes) throw new Error(`raw copy got ${received} of ${options.bytes} bytes`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function joiner(): Promise<void> {
  const rawMs = await rawCopy(options.rawPort!);
  print('rawDone', { ms: rawMs });
  let loaded = 0;
  const group = new Group('state-bench', { seeds: options.seeds }).stateTransfer({
    makeCheckpoint: () => [],
    loadCheckpoint: async (chunks) => {
      for await (const chunk of chunks) loaded += chunk.length;
    },
    chunkBytes: CHUNK_BYTES,
    receiveQueueBytes: 4 * CHUNK_BYTES,
  });
  await group.process.start();
  const started = process.hrtime.bigint();
  await group.join();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (loaded !== options.bytes) throw new Error(`state transfer loaded ${loaded} of ${options.bytes} bytes`);
  print('joined', { ms });
  await group.close();
  process.exit(0);
}

(options.seeds === undefined ? holder() : joiner()).catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});

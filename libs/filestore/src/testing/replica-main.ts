/**
 * One file-store replica as an OS process, for test/filestore-replicas.proc.ts. Argument: JSON { name, dataDir,
 * durable, ackReplicas, seeds?, founder? }. Prints JSON lines: ready (joined and caught up, with its stats), ack (one
 * per acknowledged append: path, firstSeq, the records' keys), writer-stopped, digest, stopped. Reads JSON commands
 * on stdin: { cmd: 'write', files, batch } starts appending (one append at a time, records keyed
 * "<name>:<n>"), { cmd: 'stop-writing' } ends it, { cmd: 'digest', at? } prints a digest of a snapshot (all files
 * now, or as of { timeNs, clock } with timeNs a decimal string), { cmd: 'stats' } prints the stats.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { VsyncProcess } from '@gridcloud/vsync';
import { FileStore, type StoredRecord, type TemporalPoint } from '../index';

interface Options {
  readonly name: string;
  readonly dataDir: string;
  readonly durable: boolean;
  readonly ackReplicas: number;
  readonly seeds?: string[];
  readonly founder?: boolean;
}

interface Command {
  readonly cmd: string;
  readonly files?: number;
  readonly batch?: number;
  readonly at?: { timeNs: string; clock: 'user' | 'server' };
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (event: string, fields: Record<string, unknown> = {}): void =>
  void process.stdout.write(`${JSON.stringify({ event, name: options.name, ...fields })}\n`);
const stringify = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v)));

let writing = false;
let written = 0;

async function writeLoop(store: FileStore, files: number, batch: number): Promise<void> {
  writing = true;
  let acked = 0;
  while (writing) {
    const path = `pmu/${options.name}/${written % files}`;
    const records = Array.from({ length: batch }, (_, i) => ({
      userTimeNs: BigInt(Date.now()) * 1_000_000n + BigInt(i),
      data: Buffer.from(`${options.name}:${written + i}`),
    }));
    written += batch;
    try {
      const ack = await store.append(path, records);
      acked++;
      print('ack', {
        path,
        firstSeq: ack.firstSeq,
        replicas: ack.replicas,
        keys: records.map((r) => r.data.toString()),
      });
    } catch (error) {
      print('append-failed', { path, error: (error as Error).message });
    }
  }
  print('writer-stopped', { acked });
}

async function digest(store: FileStore, at: TemporalPoint | null): Promise<void> {
  const hash = createHash('sha256');
  const keys: string[] = [];
  let records = 0;
  const source = at === null ? everything(store) : store.snapshot(at);
  for await (const r of source) {
    hash
      .update(`${r.path}|${r.seq}|${r.userTimeNs}|${r.serverTime.wallMs}.${r.serverTime.logical}|`)
      .update(r.data);
    keys.push(Buffer.from(r.data).toString());
    records++;
  }
  print('digest', { records, digest: hash.digest('hex'), keys, nextSeq: store.stats().nextSeq });
}

async function* everything(store: FileStore): AsyncIterable<StoredRecord> {
  for (const file of await store.list()) yield* store.read(file.path, null);
}

async function main(): Promise<void> {
  const vsync = new VsyncProcess({
    seeds: options.seeds,
    founder: options.founder,
    // Generous: four replicas and the test share two busy cores; only the SIGKILL must be detected.
    core: { heartbeatIntervalMs: 100, failureTimeoutMs: 4_000 },
  });
  const store = await FileStore.open(vsync, {
    dataDir: options.dataDir,
    durable: options.durable,
    ackReplicas: options.ackReplicas,
  });
  store.onError((error) => print('error', { error: error.message }));
  print('ready', { address: vsync.self.address, stats: stringify(store.stats()) });
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as Command;
    if (command.cmd === 'write') void writeLoop(store, command.files ?? 4, command.batch ?? 5);
    if (command.cmd === 'stop-writing') writing = false;
    if (command.cmd === 'stats') print('stats', { stats: stringify(store.stats()) });
    if (command.cmd === 'digest') {
      const at =
        command.at === undefined ? null : { timeNs: BigInt(command.at.timeNs), clock: command.at.clock };
      void digest(store, at);
    }
  });
  const stop = async (): Promise<void> => {
    writing = false;
    await store.close();
    await vsync.shutdown();
    print('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: Error) => {
  print('failed', { error: error.stack ?? error.message });
  process.exit(1);
});

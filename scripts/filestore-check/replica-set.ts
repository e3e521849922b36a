import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@gridcloud/command-line';
import { LocalProcess } from '@gridcloud/supervision';
import { FILESTORE_NODE_FLAGS } from '../../apps/filestore/src/node-flags';

/** The file store replica's entry, relative to the project root. */
export const FILESTORE_ENTRY = 'apps/filestore/src/main.ts';

export interface ReplicaSetOptions {
  readonly replicas: number;
  readonly durable: boolean;
  readonly ackReplicas: number;
  /** Flags added to every replica's command line. */
  readonly extraArgs?: readonly string[];
  /** How long a replica may take to print its ready line. */
  readonly readyTimeoutMs?: number;
}

interface Replica {
  readonly vsyncPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
  process: LocalProcess;
}

const DEFAULT_READY_TIMEOUT_MS = 90_000;

/**
 * Real file store replicas (apps/filestore, one OS process each) on loopback, for the benchmark, the FFFS check and
 * the process tests. Each keeps its ports and data folder across a SIGKILL and restart, so clients keep its URL
 * and the restarted replica finds its own log.
 */
export class ReplicaSet {
  private constructor(
    private readonly options: ReplicaSetOptions,
    private readonly root: string,
    private readonly replicas: Replica[],
  ) {}

  /** Starts the replicas one after the other (the first founds the vsync system) and waits for each to serve. */
  static async start(options: ReplicaSetOptions): Promise<ReplicaSet> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-filestore-'));
    const replicas: Replica[] = [];
    for (let i = 0; i < options.replicas; i++) replicas.push(await newReplica(root, i));
    const set = new ReplicaSet(options, root, replicas);
    try {
      for (let i = 0; i < replicas.length; i++) await set.launch(i, i === 0 ? [] : [0]);
    } catch (error) {
      await set.stop();
      throw error;
    }
    return set;
  }

  /** Starts a brand-new replica (an empty data folder) that joins through the others; returns its index. */
  async add(): Promise<number> {
    const i = this.replicas.length;
    const others = this.replicas.map((_, j) => j);
    this.replicas.push(await newReplica(this.root, i));
    await this.launch(i, others);
    return i;
  }

  /** Each replica's HTTP base URL, in replica order. */
  get urls(): string[] {
    return this.replicas.map((r) => `http://127.0.0.1:${r.httpPort}`);
  }

  get pids(): number[] {
    return this.replicas.map((r) => r.process.pid ?? -1);
  }

  /** SIGKILLs replica `i` (and whatever it forked) and waits until it is gone. */
  async kill(i: number): Promise<void> {
    this.replicas[i].process.kill();
    await this.replicas[i].process.exited;
  }

  /** Starts replica `i` again at the same address with the same data folder, joining through the others. */
  async restart(i: number): Promise<void> {
    const others = this.replicas.map((_, j) => j).filter((j) => j !== i);
    await this.launch(i, others);
  }

  /** Each replica's latest `stats` line (printed with --stats-interval-ms), undefined where none came yet. */
  latestStats(): (Record<string, unknown> | undefined)[] {
    return this.replicas.map((r) => r.process?.lines.findLast((l) => l.event === 'stats'));
  }

  /** The stderr tail of every replica, for a failure's message. */
  diagnostics(): string {
    return this.replicas.map((r, i) => `replica ${i}:\n${r.process?.stderr ?? ''}`).join('\n');
  }

  /** Stops every replica (SIGTERM, then SIGKILL) and removes their data. */
  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.process?.stop(10_000)));
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private async launch(i: number, seedReplicas: readonly number[]): Promise<void> {
    const r = this.replicas[i];
    const seeds = seedReplicas.map((j) => `127.0.0.1:${this.replicas[j].vsyncPort}`);
    const args = [
      ...['--data-dir', r.dataDir, '--ack-replicas', String(this.options.ackReplicas)],
      ...['--vsync-port', String(r.vsyncPort), '--http-port', String(r.httpPort)],
      ...(seeds.length > 0 ? ['--vsync-seeds', seeds.join(',')] : []),
      ...(this.options.durable ? ['--durable'] : []),
      ...(this.options.extraArgs ?? []),
    ];
    r.process = replicaProcess(args);
    await r.process.waitFor(
      (l) => l.event === 'ready',
      `filestore replica ${i} ready`,
      this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    );
  }
}

/** Where replicas write V8 CPU profiles (node --cpu-prof) when set: for profiling the benchmark. */
const CPU_PROF_DIR_ENV = 'GRIDCLOUD_FILESTORE_CPU_PROF_DIR';

function replicaProcess(args: readonly string[]): LocalProcess {
  const options = { withoutInheritedSettings: true, maxKeptLines: 1000, nodeFlags: FILESTORE_NODE_FLAGS };
  const profileDir = process.env[CPU_PROF_DIR_ENV];
  if (profileDir === undefined || profileDir === '') return LocalProcess.tsx(FILESTORE_ENTRY, args, options);
  const root = path.resolve(import.meta.dirname, '../..');
  const loader = path.join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
  const entry = path.join(root, FILESTORE_ENTRY);
  return LocalProcess.spawn(
    [
      process.execPath,
      ...FILESTORE_NODE_FLAGS,
      '--cpu-prof',
      '--cpu-prof-dir',
      profileDir,
      '--import',
      loader,
      entry,
      ...args,
    ],
    { ...options, cwd: root, env: { TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') } },
  );
}

async function newReplica(root: string, i: number): Promise<Replica> {
  const dataDir = path.join(root, `replica-${i}`);
  return { vsyncPort: await freePort(), httpPort: await freePort(), dataDir, process: undefined! };
}

import {
  AppendOutcomeUnknownError,
  FileStoreClient,
  FileStoreUnavailableError,
  type StoredRecord,
} from '@gridcloud/filestore';
import { ReplicaSet } from './replica-set';
import { WrittenLog, type WrittenRecord } from './written-log';

export interface ExperimentOptions {
  readonly replicas: number;
  readonly durable: boolean;
  readonly ackReplicas: number;
  readonly writers: number;
  readonly filesPerWriter: number;
  readonly readers: number;
  readonly durationS: number;
  /** When the victim replica is SIGKILLed, and how long it stays down; killAtS 0: no kill. */
  readonly killAtS: number;
  readonly downS: number;
  readonly maxBatchRecords: number;
  /** Start a brand-new replica after the writers stop: it must receive the whole store. */
  readonly addReplica: boolean;
}

export interface ExperimentResult {
  snapshots: number;
  inconsistent: number;
  acknowledgedLost: number;
  acknowledgedRecords: number;
  unknownOutcomes: number;
  replicasDiffer: number;
  killed: number;
  /** Replicas started empty once the writers stopped; the final check holds them to every acknowledged record. */
  added: number;
  faults: string[];
}

const MAX_FAULTS_KEPT = 20;
const SERVER_T_MAX_PAST_MS = 2_000;
/** Appends whose outcome a writer never learned may still be ordered just after the writers stop. */
const SETTLE_MS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The Freeze-Frame experiment on real processes: writers append timestamped records to their files through the
 * replicas while readers take snapshots at random past times on either clock, each judged against the writers' own
 * log; one replica is SIGKILLed mid-run and restarted; at the end every replica must hold every acknowledged record.
 */
export async function runExperiment(
  o: ExperimentOptions,
  log: (line: string) => void,
): Promise<ExperimentResult> {
  const set = await ReplicaSet.start({
    replicas: o.replicas,
    durable: o.durable,
    ackReplicas: o.ackReplicas,
  });
  const result: ExperimentResult = {
    snapshots: 0,
    inconsistent: 0,
    acknowledgedLost: 0,
    acknowledgedRecords: 0,
    unknownOutcomes: 0,
    replicasDiffer: 0,
    killed: 0,
    added: 0,
    faults: [],
  };
  try {
    const written = new WrittenLog();
    const startMs = Date.now();
    const deadline = performance.now() + o.durationS * 1000;
    const running = () => performance.now() < deadline;
    const writers = Array.from({ length: o.writers }, (_, w) =>
      writer(w, set.urls, written, o, running, result),
    );
    const readers = Array.from({ length: o.readers }, (_, r) =>
      reader(r, set.urls, written, startMs, running, result),
    );
    await Promise.all([...writers, ...readers, killAndRestart(set, o, result, log)]);
    await sleep(SETTLE_MS);
    if (o.addReplica) await addReplica(set, result, log);
    await finalCheck(set, written, result);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${set.diagnostics()}`);
  } finally {
    await set.stop();
  }
  return result;
}

function rotated(urls: readonly string[], by: number): string[] {
  const k = by % urls.length;
  return [...urls.slice(k), ...urls.slice(0, k)];
}

async function writer(
  w: number,
  urls: readonly string[],
  written: WrittenLog,
  o: ExperimentOptions,
  running: () => boolean,
  result: ExperimentResult,
): Promise<void> {
  const client = new FileStoreClient({ urls: rotated(urls, w), requestTimeoutMs: 15_000 });
  const files = Array.from({ length: o.filesPerWriter }, (_, f) => `fffs/writer-${w}/file-${f}`);
  let lastNs = 0n;
  for (let i = 0; running(); i++) {
    const path = files[i % files.length];
    const count = 1 + Math.floor(Math.random() * o.maxBatchRecords);
    const batch: WrittenRecord[] = [];
    for (let k = 0; k < count; k++) {
      lastNs = maxBig(lastNs + 1n, BigInt(Date.now()) * 1_000_000n);
      batch.push(written.sent(path, lastNs, `${path}#${i}.${k}`));
    }
    try {
      const receipt = await client.append(
        path,
        batch.map((r) => ({ userTimeNs: r.userTimeNs, data: Buffer.from(r.data) })),
      );
      written.acknowledged(batch, receipt);
    } catch (error) {
      if (!(error instanceof AppendOutcomeUnknownError || error instanceof FileStoreUnavailableError))
        throw error;
      result.unknownOutcomes++;
      await sleep(100);
    }
  }
}

async function reader(
  r: number,
  urls: readonly string[],
  written: WrittenLog,
  startMs: number,
  running: () => boolean,
  result: ExperimentResult,
): Promise<void> {
  for (let n = r; running(); n++) {
    // Each snapshot starts at the next replica, so the restarted one is read as soon as it serves again.
    const client = new FileStoreClient({ urls: rotated(urls, n), requestTimeoutMs: 15_000 });
    const request = pickSnapshot(written, startMs);
    if (request === null) {
      await sleep(50);
      continue;
    }
    const seen: StoredRecord[] = [];
    try {
      for await (const record of client.snapshot(request)) seen.push(record);
    } catch (error) {
      if (!(error instanceof FileStoreUnavailableError) && !isBrokenStream(error)) throw error;
      continue; // A snapshot cut by the kill is not judged: it never completed.
    }
    result.snapshots++;
    const faults = written.judge(request, seen);
    if (faults.length === 0) continue;
    result.inconsistent++;
    if (result.faults.length < MAX_FAULTS_KEPT)
      result.faults.push(`${request.clock}@${request.timeNs}: ${faults.slice(0, 3).join('; ')}`);
  }
}

/** A random past time: on the user clock at or before what every file has settled, on the server clock whole ms. */
function pickSnapshot(
  written: WrittenLog,
  startMs: number,
): { clock: 'user' | 'server'; timeNs: bigint; sentAt: number } | null {
  const sentAt = performance.now();
  if (Math.random() < 0.5) {
    const settled = written.settledUserTimeNs();
    if (settled === null) return null;
    const from = BigInt(startMs) * 1_000_000n;
    if (settled <= from) return null;
    return {
      clock: 'user',
      timeNs: from + BigInt(Math.floor(Math.random() * Number(settled - from))),
      sentAt,
    };
  }
  const to = Date.now() - SERVER_T_MAX_PAST_MS;
  if (to <= startMs) return null;
  const ms = startMs + Math.floor(Math.random() * (to - startMs));
  // The last nanosecond of that millisecond: every HLC reading of that wall millisecond is at or before it.
  return { clock: 'server', timeNs: BigInt(ms) * 1_000_000n + 999_999n, sentAt };
}

async function killAndRestart(
  set: ReplicaSet,
  o: ExperimentOptions,
  result: ExperimentResult,
  log: (l: string) => void,
): Promise<void> {
  if (o.killAtS <= 0) return;
  await sleep(o.killAtS * 1000);
  const victim = o.replicas - 1;
  log(`SIGKILL replica ${victim} (pid ${set.pids[victim]})`);
  await set.kill(victim);
  result.killed++;
  await sleep(o.downS * 1000);
  const started = performance.now();
  await set.restart(victim);
  log(`replica ${victim} restarted, serving after ${Math.round(performance.now() - started)} ms`);
}

async function addReplica(
  set: ReplicaSet,
  result: ExperimentResult,
  log: (l: string) => void,
): Promise<void> {
  const started = performance.now();
  const i = await set.add();
  result.added++;
  log(`brand-new replica ${i} serving after ${Math.round(performance.now() - started)} ms`);
}

/** Every acknowledged record must be at every replica, and the replicas must hold the same records. */
async function finalCheck(set: ReplicaSet, written: WrittenLog, result: ExperimentResult): Promise<void> {
  const acked = written.acknowledgedRecords();
  result.acknowledgedRecords = acked.length;
  const lost = new Set<string>();
  let reference: string | undefined;
  for (const url of set.urls) {
    const client = new FileStoreClient({ urls: [url], requestTimeoutMs: 30_000 });
    const held = new Set<string>();
    for (const path of written.files)
      for await (const r of client.read(path)) held.add(`${r.path}@${r.userTimeNs}`);
    for (const r of acked) if (!held.has(`${r.path}@${r.userTimeNs}`)) lost.add(`${r.path}@${r.userTimeNs}`);
    const digest = [...held].sort().join('\n');
    if (reference !== undefined && digest !== reference) result.replicasDiffer++;
    reference ??= digest;
  }
  result.acknowledgedLost = lost.size;
  for (const key of [...lost].slice(0, MAX_FAULTS_KEPT))
    result.faults.push(`${key}: acknowledged, not at every replica`);
}

function isBrokenStream(error: unknown): boolean {
  return (
    error instanceof Error &&
    /terminated|ended inside|ECONNRESET|socket/i.test(
      `${error.message} ${String((error as { cause?: unknown }).cause)}`,
    )
  );
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

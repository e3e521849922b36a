import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Workload } from './workload';

/**
 * The raw limit: the same batch bodies appended to one local file, one write per batch, with an fsync after each
 * batch when `durable` (the store acknowledges a durable append once it is on disk). Returns MB/s.
 */
export function rawAppendMBPerSec(workload: Workload, durable: boolean): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-raw-append-'));
  const fd = fs.openSync(path.join(dir, 'log'), 'a');
  try {
    const started = performance.now();
    for (const batches of workload.files)
      for (const batch of batches) {
        fs.writeSync(fd, batch.body);
        if (durable) fs.fsyncSync(fd);
      }
    const seconds = (performance.now() - started) / 1000;
    return workload.bytes / 1e6 / seconds;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One copy's writer, in a worker thread: waits at the barrier, appends every body (fsync after each when durable). */
const COPY_WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { file, bodies, durable, barrier } = workerData;
const fd = fs.openSync(file, 'a');
parentPort.postMessage({ ready: true });
Atomics.wait(barrier, 0, 0);
const startedMs = performance.timeOrigin + performance.now();
for (const body of bodies) {
  fs.writeSync(fd, body);
  if (durable) fs.fsyncSync(fd);
}
const endedMs = performance.timeOrigin + performance.now();
fs.closeSync(fd);
parentPort.postMessage({ startedMs, endedMs });
`;

/**
 * The raw limit of a store that keeps `copies` copies on this machine's disk: `copies` threads append the same batch
 * bodies at once, each to its own file (fsync after each batch when `durable`), as the replicas of one machine do.
 * Returns MB/s of the workload (every copy written), from the first write to the last copy's end: no network, no
 * ordering, no HTTP.
 */
export async function replicatedAppendMBPerSec(
  workload: Workload,
  durable: boolean,
  copies: number,
): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-raw-copies-'));
  const bodies = workload.files.flatMap((batches) => batches.map((b) => b.body));
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: copies },
    (_, i) =>
      new Worker(COPY_WRITER, {
        eval: true,
        workerData: { file: path.join(dir, `copy-${i}`), bodies, durable, barrier },
      }),
  );
  try {
    const ready = workers.map((w) => new Promise((resolve) => w.once('message', resolve)));
    const done = workers.map(
      (w) =>
        new Promise<{ startedMs: number; endedMs: number }>((resolve, reject) => {
          w.once('error', reject);
          w.on('message', (m: { startedMs?: number; endedMs: number }) => {
            if (m.startedMs !== undefined) resolve({ startedMs: m.startedMs, endedMs: m.endedMs });
          });
        }),
    );
    await Promise.all(ready);
    Atomics.store(barrier, 0, 1);
    Atomics.notify(barrier, 0);
    const spans = await Promise.all(done);
    const seconds =
      (Math.max(...spans.map((s) => s.endedMs)) - Math.min(...spans.map((s) => s.startedMs))) / 1000;
    return workload.bytes / 1e6 / seconds;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

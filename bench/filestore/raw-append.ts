import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

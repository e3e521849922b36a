import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StateTransferError } from './state-transfer-error';

/** A checkpoint as kept for joiners: a file, its length and its SHA-256. */
export interface SpooledCheckpoint {
  readonly path: string;
  readonly totalBytes: number;
  readonly digest: Uint8Array;
}

export type CheckpointChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Writes the chunks an application's checkpoint callback yields to a file, hashing them on the way, so the state
 * of one view boundary can be streamed to a joiner (and resumed from another member, whose identical bytes have the
 * same digest) while the group goes on. At most `maxCheckpointBytes` are accepted.
 */
export async function spoolCheckpoint(
  chunks: CheckpointChunks,
  dir: string,
  name: string,
  maxCheckpointBytes: number,
): Promise<SpooledCheckpoint> {
  const own = processSpoolDirectory(dir);
  await mkdir(own, { recursive: true });
  const path = join(own, `${name}.spool`);
  const file = await open(path, 'w');
  const hash = createHash('sha256');
  let totalBytes = 0;
  try {
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array))
        throw new StateTransferError('the checkpoint callback yielded something other than a Uint8Array');
      totalBytes += chunk.length;
      if (totalBytes > maxCheckpointBytes)
        throw new StateTransferError(`the checkpoint exceeds maxCheckpointBytes (${maxCheckpointBytes})`);
      hash.update(chunk);
      await file.write(chunk);
    }
  } catch (error) {
    await file.close();
    await rm(path, { force: true });
    throw error;
  }
  await file.close();
  return { path, totalBytes, digest: hash.digest() };
}

export async function discardSpool(spool: SpooledCheckpoint): Promise<void> {
  await rm(spool.path, { force: true });
}

const ownDirectories = new Map<string, string>();

/** This process's own directory under `base` ("<pid>"): removed when the process exits, and the directories of
 *  processes that no longer run (killed before they could clean up) are removed when the first spool is made. */
function processSpoolDirectory(base: string): string {
  let own = ownDirectories.get(base);
  if (own !== undefined) return own;
  own = join(base, String(process.pid));
  ownDirectories.set(base, own);
  sweepStale(base);
  const dir = own;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return own;
}

function sweepStale(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(base, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StateTransferError } from './state-transfer-error';

/** A checkpoint as kept for joiners: in memory (copies of the chunks) or in a file, with its length and SHA-256. */
export interface SpooledCheckpoint {
  /** The spool file, or null when the checkpoint is held in `chunks`. */
  readonly path: string | null;
  readonly chunks: readonly Buffer[];
  readonly totalBytes: number;
  readonly digest: Uint8Array;
}

/** Bytes spooled in memory between two turns of the event loop. */
const YIELD_EVERY_BYTES = 4 * 1024 * 1024;

export type CheckpointChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface SpoolBounds {
  readonly dir: string;
  readonly name: string;
  readonly maxCheckpointBytes: number;
  /** Checkpoints up to this size stay in memory; a larger one goes to a file from the first byte beyond it. */
  readonly memorySpoolBytes: number;
}

/**
 * Keeps the chunks an application's checkpoint callback yields, hashing them on the way, so the state of one view
 * boundary can be streamed to a joiner (and resumed from another member, whose identical bytes have the same digest)
 * while the group goes on. Chunks are copied: the application may reuse its buffers once a chunk was taken. Small
 * checkpoints stay in memory, larger ones are written to a file; at most `maxCheckpointBytes` are accepted.
 */
export async function spoolCheckpoint(
  chunks: CheckpointChunks,
  bounds: SpoolBounds,
): Promise<SpooledCheckpoint> {
  const hash = createHash('sha256');
  const held: Buffer[] = [];
  let totalBytes = 0;
  let file: { path: string; handle: FileHandle } | null = null;
  let sinceYield = 0;
  try {
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array))
        throw new StateTransferError('the checkpoint callback yielded something other than a Uint8Array');
      totalBytes += chunk.length;
      if (totalBytes > bounds.maxCheckpointBytes)
        throw new StateTransferError(
          `the checkpoint exceeds maxCheckpointBytes (${bounds.maxCheckpointBytes})`,
        );
      hash.update(chunk);
      if (file === null && totalBytes > bounds.memorySpoolBytes) file = await spillToFile(bounds, held);
      if (file !== null) await file.handle.write(chunk);
      else {
        held.push(Buffer.from(chunk));
        sinceYield += chunk.length;
      }
      // Hashing and copying a large state in memory must not starve the event loop: heartbeats go on meanwhile.
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } catch (error) {
    await file?.handle.close();
    if (file !== null) await rm(file.path, { force: true });
    throw error;
  }
  await file?.handle.close();
  return { path: file?.path ?? null, chunks: file === null ? held : [], totalBytes, digest: hash.digest() };
}

/** Moves what was held in memory so far into a new spool file, which takes the rest. */
async function spillToFile(
  bounds: SpoolBounds,
  held: Buffer[],
): Promise<{ path: string; handle: FileHandle }> {
  const own = processSpoolDirectory(bounds.dir);
  await mkdir(own, { recursive: true });
  const path = join(own, `${bounds.name}.spool`);
  const handle = await open(path, 'w');
  for (const chunk of held.splice(0)) await handle.write(chunk);
  return { path, handle };
}

export async function discardSpool(spool: SpooledCheckpoint): Promise<void> {
  if (spool.path !== null) await rm(spool.path, { force: true });
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

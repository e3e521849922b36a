import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointChunks } from './checkpoint-spool';
import { StateTransferError } from './state-transfer-error';

/**
 * Checkpoint files of one group in one directory, so a group can keep its state across a full shutdown. A file is
 * written to a temporary name, fsynced, renamed into place and the directory fsynced, so a crash leaves either the
 * old set or the new one, never a torn file under a checkpoint's name. Layout: magic "VSCK", version, the content's
 * length (f64) and SHA-256, then the content; a file whose digest does not match is skipped when loading.
 */
const FILE_MAGIC = 0x5653434b; // "VSCK"
const FILE_VERSION = 1;
const HEADER_BYTES = 4 + 1 + 8 + 32;
const SUFFIX = '.ckpt';

export interface CheckpointFile {
  readonly path: string;
  readonly totalBytes: number;
}

let sequence = 0;

function prefixOf(group: string): string {
  return `${encodeURIComponent(group)}~`;
}

/** Names sort by time of writing: wall-clock milliseconds, then a per-process counter for writes within one ms. */
function fileName(group: string): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${prefixOf(group)}${String(Date.now()).padStart(15, '0')}-${String(sequence).padStart(6, '0')}${SUFFIX}`;
}

/** Writes one checkpoint atomically and keeps only the newest `keep` files of the group. */
export async function writeCheckpointFile(
  dir: string,
  group: string,
  chunks: CheckpointChunks,
  keep: number,
  maxCheckpointBytes: number,
): Promise<CheckpointFile> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, fileName(group));
  const temp = `${path}.tmp`;
  const file = await open(temp, 'w');
  const hash = createHash('sha256');
  let totalBytes = 0;
  try {
    await file.write(Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0);
    for await (const chunk of chunks) {
      totalBytes += chunk.length;
      if (totalBytes > maxCheckpointBytes)
        throw new StateTransferError(`the checkpoint exceeds maxCheckpointBytes (${maxCheckpointBytes})`);
      hash.update(chunk);
      // Positional writes throughout: the header slot at 0 is filled last, once the digest is known.
      await file.write(chunk, 0, chunk.length, HEADER_BYTES + totalBytes - chunk.length);
    }
    await file.write(header(totalBytes, hash.digest()), 0, HEADER_BYTES, 0);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temp, { force: true });
    throw error;
  }
  await file.close();
  await rename(temp, path);
  await syncDirectory(dir);
  await prune(dir, group, keep);
  return { path, totalBytes };
}

function header(totalBytes: number, digest: Buffer): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt32BE(FILE_MAGIC, 0);
  out.writeUInt8(FILE_VERSION, 4);
  out.writeDoubleBE(totalBytes, 5);
  digest.copy(out, 13);
  return out;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The group's checkpoint files, newest first. */
export async function listCheckpointFiles(dir: string, group: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const prefix = prefixOf(group);
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith(SUFFIX))
    .sort()
    .reverse()
    .map((n) => join(dir, n));
}

async function prune(dir: string, group: string, keep: number): Promise<void> {
  const files = await listCheckpointFiles(dir, group);
  for (const old of files.slice(keep)) await rm(old, { force: true });
}

/** The newest checkpoint file whose content matches its digest, or undefined; damaged files are reported and
 *  skipped, so a crash while one was being replaced never costs the state. */
export async function newestValidCheckpoint(
  dir: string,
  group: string,
  onDamaged: (path: string, why: string) => void,
): Promise<CheckpointFile | undefined> {
  for (const path of await listCheckpointFiles(dir, group)) {
    const problem = await checkFile(path);
    if (problem === undefined) return { path, totalBytes: (await readHeader(path)).totalBytes };
    onDamaged(path, problem);
  }
  return undefined;
}

async function readHeader(path: string): Promise<{ totalBytes: number; digest: Buffer; ok: boolean }> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, HEADER_BYTES, 0);
    const ok =
      bytesRead === HEADER_BYTES && bytes.readUInt32BE(0) === FILE_MAGIC && bytes[4] === FILE_VERSION;
    return { totalBytes: ok ? bytes.readDoubleBE(5) : -1, digest: bytes.subarray(13), ok };
  } finally {
    await handle.close();
  }
}

async function checkFile(path: string): Promise<string | undefined> {
  const head = await readHeader(path);
  if (!head.ok) return 'not a checkpoint file (bad magic or version)';
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { start: HEADER_BYTES }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  if (bytes !== head.totalBytes) return `holds ${bytes} bytes, its header says ${head.totalBytes}`;
  if (!hash.digest().equals(head.digest)) return 'content does not match its digest';
  return undefined;
}

/** The content of a checkpoint file, as chunks for the loading callback. */
export function readCheckpointFile(file: CheckpointFile, chunkBytes: number): AsyncIterable<Uint8Array> {
  return createReadStream(file.path, {
    start: HEADER_BYTES,
    highWaterMark: chunkBytes,
  }) as AsyncIterable<Buffer>;
}

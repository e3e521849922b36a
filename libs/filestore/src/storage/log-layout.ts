import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FileStoreLayoutError } from '../errors/file-store-layout-error';
import { frameBatchOf, readU64, type FrameRecord } from './record-frame';
import { SEGMENT_SUFFIX, syncPathSync, writeAll } from './file-log';

/** The file naming the layout of a data directory's logs, and the layout this code writes and reads. */
const LAYOUT_FILE = 'LAYOUT';
export const LOG_LAYOUT = 'gridcloud-filestore frame-per-append 2';
export const FILES_DIR = 'files';
/** Where a migration writes the new logs, and where the old ones wait until the new ones are in place. */
const MIGRATING_DIR = 'files.migrating';
const MIGRATED_DIR = 'files.layout-1';

/** What opening a data directory found. */
export interface LayoutReport {
  /** Files whose logs were rewritten from the per-record layout (1) into the frame-per-append layout. */
  readonly migratedFiles: number;
}

/**
 * Makes sure `dataDir` holds its logs in LOG_LAYOUT, named in `dataDir/LAYOUT`. A directory without that file is
 * new (no logs: it gets one) or was written in layout 1 (a frame per record, before LAYOUT existed): its logs are
 * rewritten into a side directory, which then takes their place. A crash at any point leaves either the old logs
 * whole (the rewrite starts over) or the new ones whole (the switch is finished). A LAYOUT naming another layout is
 * refused, with nothing changed.
 */
export function ensureLogLayout(dataDir: string): LayoutReport {
  mkdirSync(dataDir, { recursive: true });
  const none = { migratedFiles: 0 };
  const layoutPath = join(dataDir, LAYOUT_FILE);
  if (existsSync(layoutPath)) {
    const found = readFileSync(layoutPath, 'utf8').trim();
    if (found !== LOG_LAYOUT)
      throw new FileStoreLayoutError(`its logs are in layout '${found}'; this replica reads '${LOG_LAYOUT}'`);
    rmSync(join(dataDir, MIGRATED_DIR), { recursive: true, force: true });
    return none;
  }
  const files = join(dataDir, FILES_DIR);
  if (existsSync(join(dataDir, MIGRATED_DIR))) {
    // A migration had written every new log and was switching: finish it.
    if (!existsSync(files)) renameSync(join(dataDir, MIGRATING_DIR), files);
    return finish(dataDir, none);
  }
  if (!existsSync(files) || readdirSync(files).length === 0) return finish(dataDir, none);
  return finish(dataDir, migrateLayout1(dataDir));
}

function finish(dataDir: string, report: LayoutReport): LayoutReport {
  syncPathSync(dataDir);
  const temporary = join(dataDir, `${LAYOUT_FILE}.new`);
  writeFileSync(temporary, `${LOG_LAYOUT}\n`);
  syncPathSync(temporary);
  renameSync(temporary, join(dataDir, LAYOUT_FILE));
  syncPathSync(dataDir);
  rmSync(join(dataDir, MIGRATED_DIR), { recursive: true, force: true });
  return report;
}

function migrateLayout1(dataDir: string): LayoutReport {
  const from = join(dataDir, FILES_DIR);
  const to = join(dataDir, MIGRATING_DIR);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to);
  let migratedFiles = 0;
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    const target = join(to, name);
    mkdirSync(target);
    const entries = readdirSync(source);
    for (const entry of entries.filter((n) => !n.endsWith(SEGMENT_SUFFIX)))
      writeFileSync(join(target, entry), readFileSync(join(source, entry)));
    for (const segment of entries.filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort()) {
      const { records, damaged } = layout1Records(readFileSync(join(source, segment)));
      writeSegment(join(target, segment), records);
      // Recovery would cut the log at a damaged frame and drop the segments after it: so does the rewrite.
      if (damaged) break;
    }
    for (const entry of readdirSync(target)) syncPathSync(join(target, entry));
    syncPathSync(target);
    migratedFiles++;
  }
  syncPathSync(to);
  renameSync(from, join(dataDir, MIGRATED_DIR));
  renameSync(to, from);
  return { migratedFiles };
}

function writeSegment(path: string, records: readonly FrameRecord[]): void {
  const fd = openSync(path, 'w');
  try {
    if (records.length > 0) {
      const frames = frameBatchOf(records);
      writeAll(fd, frames.chunks, frames.byteLength);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Layout 1, a frame per record: body length (u32 LE), CRC-32 of the body (u32 LE), seq (u64 LE), user time (i64
 *  LE), server wall ms (u64 LE), logical (u32 LE), data. The records up to the first torn or damaged frame. */
function layout1Records(segment: Buffer): { records: FrameRecord[]; damaged: boolean } {
  const records: FrameRecord[] = [];
  const bodyHeaderBytes = 28;
  let at = 0;
  while (at < segment.length) {
    if (segment.length - at < 8) return { records, damaged: true };
    const bodyBytes = segment.readUInt32LE(at);
    const end = at + 8 + bodyBytes;
    if (bodyBytes < bodyHeaderBytes || end > segment.length) return { records, damaged: true };
    if (crc32(segment.subarray(at + 8, end)) !== segment.readUInt32LE(at + 4))
      return { records, damaged: true };
    records.push({
      seq: readU64(segment, at + 8),
      userTimeNs: segment.readBigInt64LE(at + 16),
      serverTime: { wallMs: readU64(segment, at + 24), logical: segment.readUInt32LE(at + 32) },
      data: segment.subarray(at + 36, end),
    });
    at = end;
  }
  return { records, damaged: false };
}

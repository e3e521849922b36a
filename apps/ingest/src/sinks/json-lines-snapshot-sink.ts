import fs from 'node:fs';
import {
  lateFrameToJson,
  snapshotToJson,
  type LateFrame,
  type Snapshot,
  type SnapshotSink,
} from './snapshot-sink';

/**
 * Every snapshot (and every late frame) as one JSON line, to stdout ('-') or a file: for tests, replay and debugging.
 * A file is appended to, so a restarted ingest keeps what it wrote before; a line the previous process left half
 * written (killed mid-write) is ended first, so every later line parses.
 */
export class JsonLinesSnapshotSink implements SnapshotSink {
  private readonly out: NodeJS.WritableStream;

  constructor(target: string) {
    if (target === '-') {
      this.out = process.stdout;
      return;
    }
    this.out = fs.createWriteStream(target, { flags: 'a' });
    if (endsUnfinished(target)) this.out.write('\n');
  }

  publish(snapshot: Snapshot): void {
    this.out.write(`${JSON.stringify({ event: 'snapshot', ...snapshotToJson(snapshot) })}\n`);
  }

  publishLate(frame: LateFrame): void {
    this.out.write(`${JSON.stringify({ event: 'late', ...lateFrameToJson(frame) })}\n`);
  }

  close(): Promise<void> {
    if (this.out === process.stdout) return Promise.resolve();
    return new Promise((resolve) => (this.out as fs.WriteStream).end(resolve));
  }
}

function endsUnfinished(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

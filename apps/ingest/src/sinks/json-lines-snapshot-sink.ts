import fs from 'node:fs';
import {
  lateFrameToJson,
  snapshotToJson,
  type LateFrame,
  type Snapshot,
  type SnapshotSink,
} from './snapshot-sink';

/** Every snapshot (and every late frame) as one JSON line, to stdout ('-') or a file: for tests, replay and debugging. */
export class JsonLinesSnapshotSink implements SnapshotSink {
  private readonly out: NodeJS.WritableStream;

  constructor(target: string) {
    this.out = target === '-' ? process.stdout : fs.createWriteStream(target, { flags: 'w' });
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

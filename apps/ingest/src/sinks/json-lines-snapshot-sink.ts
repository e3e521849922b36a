import fs from 'node:fs';
import { snapshotToJson, type Snapshot, type SnapshotSink } from './snapshot-sink';

/** Every snapshot as one JSON line, to stdout ('-') or a file: for tests, replay and debugging. */
export class JsonLinesSnapshotSink implements SnapshotSink {
  private readonly out: NodeJS.WritableStream;

  constructor(target: string) {
    this.out = target === '-' ? process.stdout : fs.createWriteStream(target, { flags: 'w' });
  }

  publish(snapshot: Snapshot): void {
    this.out.write(`${JSON.stringify({ event: 'snapshot', ...snapshotToJson(snapshot) })}\n`);
  }

  close(): Promise<void> {
    if (this.out === process.stdout) return Promise.resolve();
    return new Promise((resolve) => (this.out as fs.WriteStream).end(resolve));
  }
}

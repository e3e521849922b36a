import fs from 'node:fs';
import { parseTruthLine, TruthTimeline, type TruthPoint } from '@gridcloud/estimation';

/**
 * pmu-sim's truth file, followed as it grows: each read takes what was appended since the last one (at most
 * maxReadBytes, so a huge file cannot stall the event loop; the rest comes on later reads). A file that shrank was
 * rewritten by a restarted pmu-sim and is read again from the start. A missing file is simply not there yet.
 */
export class TruthTail {
  readonly timeline = new TruthTimeline();
  private offset = 0;
  private rest = '';

  constructor(
    readonly file: string,
    readonly maxReadBytes: number,
  ) {
    if (!Number.isInteger(maxReadBytes) || maxReadBytes < 1)
      throw new RangeError(`maxReadBytes must be a positive integer, got ${maxReadBytes}`);
  }

  at(timeSec: number): TruthPoint | undefined {
    return this.timeline.at(timeSec);
  }

  read(): void {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.offset) [this.offset, this.rest] = [0, ''];
      const length = Math.min(size - this.offset, this.maxReadBytes);
      if (length <= 0) return;
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, this.offset);
      this.offset += length;
      const lines = (this.rest + buffer.toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      for (const line of lines) {
        const point = parseTruthLine(line);
        if (point !== undefined) this.timeline.add(point);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

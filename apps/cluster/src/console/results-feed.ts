import fs from 'node:fs';
import {
  AREA_RESULT_MESSAGE,
  RESULTS_GROUP,
  ResultCollector,
  TruthTimeline,
  decodeAreaResult,
  maxVoltageError,
  parseTruthLine,
} from '@gridcloud/estimation';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { Group, type VsyncProcess } from '@gridcloud/vsync';
import type { StatusBoard } from './status-board';

/** Bytes of the truth file read per status interval at most, so a huge file cannot stall the console. */
const MAX_TRUTH_READ_BYTES = 8 * 1024 * 1024;

/**
 * The console's view of the `results` group: libs/estimation's ResultCollector assembles each snapshot's
 * whole-system estimate from the areas' results; its latency (PMU timestamp to arrival here) and its largest
 * voltage error against pmu-sim's truth file go to the status board.
 */
export class ResultsFeed {
  readonly collector = new ResultCollector();
  private readonly group: Group;
  private readonly truth = new TruthTimeline();
  private truthOffset = 0;
  private truthRest = '';
  undecodable = 0;

  constructor(
    process: VsyncProcess,
    private readonly board: StatusBoard,
    private readonly truthPath: string | undefined,
    log: (text: string) => void,
  ) {
    this.group = new Group(RESULTS_GROUP, { process });
    this.group.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => this.onResult(bytes));
    this.group.onError((error) => log(`results: ${error.message}`));
  }

  join(): Promise<void> {
    return this.group.join();
  }

  /** Reads what pmu-sim appended to its truth file since the last call. */
  readTruth(): void {
    if (this.truthPath === undefined) return;
    let fd: number;
    try {
      fd = fs.openSync(this.truthPath, 'r');
    } catch {
      return; // Not written yet.
    }
    try {
      const size = fs.fstatSync(fd).size;
      // A restarted pmu-sim rewrites the file from the start.
      if (size < this.truthOffset) [this.truthOffset, this.truthRest] = [0, ''];
      const length = Math.min(size - this.truthOffset, MAX_TRUTH_READ_BYTES);
      if (length <= 0) return;
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, this.truthOffset);
      this.truthOffset += length;
      const lines = (this.truthRest + buffer.toString('utf8')).split('\n');
      this.truthRest = lines.pop() ?? '';
      for (const line of lines) {
        const point = parseTruthLine(line);
        if (point !== undefined) this.truth.add(point);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  private onResult(bytes: Uint8Array): void {
    let result;
    try {
      result = decodeAreaResult(bytes);
    } catch {
      this.undecodable += 1;
      return;
    }
    const arrivedMs = Date.now();
    for (const e of this.collector.offer(result)) {
      if (e.type === 'incomplete') {
        this.board.onIncompleteEstimate();
        continue;
      }
      const truth = this.truth.at(e.estimate.timeSec);
      const error = truth === undefined ? undefined : maxVoltageError(e.estimate, truth).maxErrorPu;
      this.board.onEstimate(arrivedMs - e.estimate.timeSec * 1000, error, {
        measurements: e.estimate.criticalMeasurements,
        pairs: e.estimate.criticalPairs,
      });
    }
  }
}

/**
 * What the estimator end-to-end tests read back: the area results and assembled estimates a `results` consumer
 * collects, the truth pmu-sim wrote and the snapshots ingest released.
 */
import fs from 'node:fs';
import {
  AREA_RESULT_MESSAGE,
  decodeAreaResult,
  parseTruthLine,
  RESULTS_GROUP,
  ResultCollector,
  TruthTimeline,
  type AreaResult,
  type SystemEstimate,
} from '@gridcloud/estimation';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { Group } from '@gridcloud/vsync';

/** A non-founding member of `results` that keeps every area result, its copies and the assembled estimates. */
export class ResultsConsumer {
  readonly results: AreaResult[] = [];
  /** Assembled estimates by snapshot slot. */
  readonly estimates = new Map<number, SystemEstimate>();
  /** Slots the collector gave up on before every area arrived. */
  readonly incomplete: number[] = [];
  /** Copies of each `slot/area` result: 1 when exactly one worker computed it. */
  readonly copies = new Map<string, number>();
  readonly collector: ResultCollector;
  private readonly group: Group;

  constructor(seeds: string, maxOpenSnapshots = 300) {
    this.collector = new ResultCollector({ maxOpenSnapshots, maxClosedSnapshots: 10_000 });
    this.group = new Group(RESULTS_GROUP, { seeds: [seeds], founder: false });
    this.group.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => this.offer(bytes));
  }

  join(): Promise<void> {
    return this.group.join();
  }

  close(): Promise<void> {
    return this.group.close();
  }

  private offer(bytes: Uint8Array): void {
    const result = decodeAreaResult(bytes);
    this.results.push(result);
    const key = `${result.slot}/${result.area}`;
    this.copies.set(key, (this.copies.get(key) ?? 0) + 1);
    for (const e of this.collector.offer(result)) {
      if (e.type === 'assembled') this.estimates.set(e.estimate.slot, e.estimate);
      else this.incomplete.push(e.slot);
    }
  }
}

/** The truth points of a pmu-sim `--truth` file. */
export function readTruth(file: string): TruthTimeline {
  const truth = new TruthTimeline();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const point = parseTruthLine(line);
    if (point !== undefined) truth.add(point);
  }
  return truth;
}

/** The `snapshot` events of an ingest `--snapshots-out` file, in release order. */
export function releasedSnapshots<T extends { slot: number }>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"event":"snapshot"'))
    .map((l) => JSON.parse(l) as T);
}

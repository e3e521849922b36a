import {
  EstimationWorker,
  ResultCollector,
  type CollectorEvent,
  type DecodedSnapshot,
  type PmuCatalog,
  type WorkerOptions,
} from '@gridcloud/estimation';
import type { Network } from '@gridcloud/grid';

/** The one worker of a replay: it holds every area, so each snapshot is assembled as soon as it is computed. */
const REPLAY_WORKER = 'replay';

export interface ReEstimationCounters {
  snapshots: number;
  /** Snapshots whose catalog version was not recorded: nothing to place their channels with. */
  withoutCatalog: number;
  assembled: number;
  incomplete: number;
}

/**
 * Re-estimation of recorded snapshots with libs/estimation's own worker and collector, as one worker that computes
 * every area (replicas 1), driven synchronously: a snapshot in, its assembled estimate out. Time is not read here.
 */
export class ReEstimation {
  readonly counters: ReEstimationCounters = { snapshots: 0, withoutCatalog: 0, assembled: 0, incomplete: 0 };
  private readonly worker: EstimationWorker;
  private readonly collector: ResultCollector;
  private catalogVersion: number | undefined;

  constructor(network: Network, options: WorkerOptions, clockMs: () => number) {
    const replay = {
      ...options,
      replicas: 1,
      backupDelayMs: 0,
      maxQueuedAreas: Math.max(options.maxQueuedAreas, options.areas),
    };
    this.worker = new EstimationWorker(network, replay, clockMs);
    this.collector = new ResultCollector({ maxOpenSnapshots: 4, maxClosedSnapshots: 16 });
  }

  /** One recorded snapshot and the catalog it was sent under (undefined when that version was not recorded). */
  step(snapshot: DecodedSnapshot, catalog: PmuCatalog | undefined): CollectorEvent[] {
    this.counters.snapshots += 1;
    if (catalog === undefined) {
      this.counters.withoutCatalog += 1;
      return [];
    }
    if (catalog.version !== this.catalogVersion) {
      this.worker.onCatalog(catalog);
      this.catalogVersion = catalog.version;
    }
    this.worker.onSnapshot(snapshot, [REPLAY_WORKER], REPLAY_WORKER, 0);
    const events: CollectorEvent[] = [];
    for (const r of this.worker.runDue(0)) events.push(...this.collector.offer(r));
    return this.count(events);
  }

  /** Closes what is still open (an area that failed leaves its snapshot incomplete). */
  finish(): CollectorEvent[] {
    return this.count(this.collector.flush());
  }

  private count(events: CollectorEvent[]): CollectorEvent[] {
    for (const e of events) {
      if (e.type === 'assembled') this.counters.assembled += 1;
      else this.counters.incomplete += 1;
    }
    return events;
  }
}

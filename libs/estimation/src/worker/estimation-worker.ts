import { GridError, partitionBuses, type Network } from '@gridcloud/grid';
import { areasOf, assignAreas, type AreaAssignment } from '../assignment/area-assignment';
import { measurementFrame, type MeasurementFrame } from '../catalog/measurement-frame';
import { bindCatalog, type UnmappedChannel } from '../catalog/measurement-layout';
import { catalogFingerprint, type PmuCatalog } from '../catalog/pmu-catalog';
import { AreaModels } from '../engine/area-models';
import type { AreaResult } from '../engine/area-result';
import { EstimationError } from '../errors/estimation-error';
import {
  breakerMap,
  breakerStatus,
  candidatesWithoutStatus,
  withBreakerStatus,
  type BreakerMap,
} from '../topology/breaker-status';
import { detectOpenBranches, openBranchesToLeaveOut } from '../topology/open-branches';
import type { DecodedSnapshot } from '../wire/snapshot-codec';
import { validateWorkerOptions, type WorkerOptions } from './worker-options';

/** What the worker counts; the estimator app prints these in its stats lines. */
export interface WorkerStats {
  snapshotsReceived: number;
  /** Snapshots for which this worker computed at least one area. */
  snapshotsEstimated: number;
  areasComputed: number;
  /** Queued areas skipped because another replica's result arrived first. */
  duplicatesAvoided: number;
  /** Queued areas dropped because the queue was full (this worker fell behind). */
  areasShed: number;
  /** Snapshots sent under a catalog version this worker does not hold (it joined before the catalog reached it). */
  snapshotsWithoutCatalog: number;
  /** PMUs of a snapshot left out because the catalog does not describe their channels. */
  unboundPmus: number;
  /** Area estimates that threw (reported, the area's result is not published). */
  areaFailures: number;
  computeMsTotal: number;
  computeMsMax: number;
  catalogVersion: number;
  unmappedChannels: number;
  /** Branches the last computed area reported open. */
  openBranches: number[];
  /** Breaker bits of the current catalog that follow a branch of the case. */
  breakerBits: number;
}

/** A snapshot being estimated: its frame and topology, computed once for all the areas of this worker. */
interface Job {
  readonly snapshot: DecodedSnapshot;
  /** The caller's clock when the snapshot was delivered (epoch ms), stamped on every result of it. */
  readonly deliveredAtMs: number;
  readonly models: AreaModels;
  /** The catalog's breaker bits when the snapshot arrived. */
  readonly breakers: BreakerMap;
  /** Whether an area of it was computed here yet (counts snapshotsEstimated once). */
  started: boolean;
  frame?: MeasurementFrame;
  /** Branches whose current rows are left out: every current below the threshold, and telling open from closed. */
  leftOut?: Int32Array;
  /** Branches the snapshot's breaker bits report open: open in every area's result. */
  breakersOpen?: Int32Array;
}

/** One area of one snapshot waiting to be computed. */
interface Task {
  readonly dueMs: number;
  readonly job: Job;
  readonly area: number;
}

/**
 * The decision logic of one estimator worker, free of sockets and timers:
 * catalogs and snapshots come in (with the worker list of the delivery) and
 * queue area tasks; `runDue(now)` computes them and returns the results. Each
 * snapshot's areas follow assignAreas over the workers the caller read at
 * delivery time, so every worker agrees on who computes what.
 */
export class EstimationWorker {
  readonly options: WorkerOptions;
  readonly labels: Int32Array;
  readonly stats: WorkerStats = {
    snapshotsReceived: 0,
    snapshotsEstimated: 0,
    areasComputed: 0,
    duplicatesAvoided: 0,
    areasShed: 0,
    snapshotsWithoutCatalog: 0,
    unboundPmus: 0,
    areaFailures: 0,
    computeMsTotal: 0,
    computeMsMax: 0,
    catalogVersion: -1,
    unmappedChannels: 0,
    openBranches: [],
    breakerBits: 0,
  };
  private models: AreaModels | undefined;
  private fingerprint = '';
  private unmappedList: readonly UnmappedChannel[] = [];
  private breakers: BreakerMap = { byIdcode: new Map(), unmapped: [], bitCount: 0 };
  private assignment: AreaAssignment | undefined;
  private readonly queue: Task[] = [];
  private readonly seenResults = new Set<string>();
  /**
   * The open-branch rule's last input and answer. Its system-wide observability check is the largest cost of a
   * snapshot after the area solves, and in steady state every snapshot has the same present rows and candidates.
   */
  private lastLeftOut:
    { models: AreaModels; present: Uint8Array; candidates: Int32Array; leftOut: Int32Array } | undefined;

  constructor(
    readonly network: Network,
    options: WorkerOptions,
    /** Milliseconds from a monotonic clock, to time each area estimate. */
    private readonly clockMs: () => number,
  ) {
    this.options = validateWorkerOptions(options);
    this.labels = partitionBuses(network, options.areas);
  }

  get areaCount(): number {
    return this.options.areas;
  }

  /** Channels the current catalog has that could not be placed in the network. */
  get unmapped(): readonly UnmappedChannel[] {
    return this.unmappedList;
  }

  /** Takes a catalog; rebuilds the measurement model only when its channels changed. Returns whether it did. */
  onCatalog(catalog: PmuCatalog): boolean {
    const fingerprint = catalogFingerprint(catalog);
    this.stats.catalogVersion = catalog.version;
    // The same channels under a new version (a re-sent catalog, a restarted ingest) keep the factorizations.
    if (this.models !== undefined && fingerprint === this.fingerprint) return false;
    const layout = bindCatalog(this.network, catalog, this.options.sigmaPu, this.options.channelMap);
    this.models = new AreaModels(
      this.network,
      layout,
      this.labels,
      this.areaCount,
      this.options.estimator,
      this.options.zeroInjection,
    );
    this.fingerprint = fingerprint;
    this.unmappedList = layout.unmapped;
    this.stats.unmappedChannels = layout.unmapped.length;
    this.breakers = breakerMap(this.network, catalog);
    this.stats.breakerBits = this.breakers.bitCount;
    return true;
  }

  /**
   * A snapshot delivered with the workers of that delivery (the members of the
   * estimators view that are also estimator services, in view order). Queues
   * this worker's areas of it: a primary's due at once, a backup of rank j
   * after j * backupDelayMs. Nothing is computed here, so a delivery handler
   * returns at once; runDue() computes.
   */
  onSnapshot(snapshot: DecodedSnapshot, workers: readonly string[], self: string, nowMs: number): void {
    this.stats.snapshotsReceived += 1;
    const mine = areasOf(this.assign(workers), self);
    if (mine.length === 0) return;
    if (this.models === undefined || snapshot.catalogVersion !== this.stats.catalogVersion) {
      this.stats.snapshotsWithoutCatalog += 1;
      return;
    }
    const job: Job = {
      snapshot,
      deliveredAtMs: nowMs,
      models: this.models,
      breakers: this.breakers,
      started: false,
    };
    for (const { area, rank } of mine)
      this.enqueue({ dueMs: nowMs + rank * this.options.backupDelayMs, job, area });
  }

  /** A result seen in the results group (from any worker, this one included): a queued task for it is skipped. */
  onResult(slot: number, area: number): void {
    const key = `${slot}/${area}`;
    if (this.seenResults.has(key)) return;
    this.seenResults.add(key);
    if (this.seenResults.size > this.options.maxRememberedResults)
      this.seenResults.delete(this.seenResults.values().next().value!);
  }

  /**
   * Computes up to `maxAreas` queued areas that are due, oldest first; an area
   * whose result another replica already published is skipped and counted in
   * duplicatesAvoided (a replica that fell behind catches up this way).
   */
  runDue(nowMs: number, maxAreas = Number.POSITIVE_INFINITY): AreaResult[] {
    const out: AreaResult[] = [];
    // Each result's computedAtMs is nowMs plus the monotonic time spent in this call until it was done.
    const clockAtNow = this.clockMs();
    while (out.length < maxAreas && this.queue.length > 0 && this.queue[0].dueMs <= nowMs) {
      const { job, area } = this.queue.shift()!;
      if (this.seenResults.has(`${job.snapshot.slot}/${area}`)) this.stats.duplicatesAvoided += 1;
      else this.run(job, area, out, nowMs - clockAtNow);
    }
    return out;
  }

  /** When the next queued area falls due, or undefined when none is queued. */
  get nextDueMs(): number | undefined {
    return this.queue[0]?.dueMs;
  }

  get queuedAreas(): number {
    return this.queue.length;
  }

  /** Keeps the queue in due order (FIFO among equals); past maxQueuedAreas the oldest task is shed. */
  private enqueue(task: Task): void {
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1].dueMs > task.dueMs) at -= 1;
    this.queue.splice(at, 0, task);
    if (this.queue.length <= this.options.maxQueuedAreas) return;
    // Shedding under overload keeps the newest snapshots flowing; a replica may still cover the one shed.
    this.queue.shift();
    this.stats.areasShed += 1;
  }

  private assign(workers: readonly string[]): AreaAssignment {
    const a = this.assignment;
    if (a !== undefined && a.workers.length === workers.length && a.workers.every((w, i) => w === workers[i]))
      return a;
    this.assignment = assignAreas(workers, this.areaCount, this.options.replicas);
    return this.assignment;
  }

  /** Computes one area; `clockToNowMs` turns the monotonic clock into the caller's (epoch) clock. */
  private run(job: Job, area: number, out: AreaResult[], clockToNowMs: number): void {
    const started = this.clockMs();
    try {
      const outcome = this.estimate(job, area);
      const done = this.clockMs();
      const computeMs = done - started;
      this.stats.areasComputed += 1;
      if (!job.started) this.stats.snapshotsEstimated += 1;
      job.started = true;
      this.stats.computeMsTotal += computeMs;
      this.stats.computeMsMax = Math.max(this.stats.computeMsMax, computeMs);
      this.stats.openBranches = [...outcome.openBranches];
      const s = job.snapshot;
      out.push({
        ...outcome,
        slot: s.slot,
        timeSec: s.timeSec,
        area,
        areaCount: this.areaCount,
        busCount: this.network.busCount,
        catalogVersion: s.catalogVersion,
        computeMs,
        stamps: {
          receivedAtMs: s.receivedAtMs,
          releasedAtMs: s.releasedAtMs,
          deliveredAtMs: job.deliveredAtMs,
          computedAtMs: done + clockToNowMs,
        },
      });
    } catch (error) {
      // Numbers libs/grid cannot estimate from are one snapshot's problem, counted; anything else is a bug.
      if (!(error instanceof GridError || error instanceof EstimationError || error instanceof RangeError))
        throw error;
      this.stats.areaFailures += 1;
    }
  }

  private estimate(job: Job, area: number): ReturnType<AreaModels['estimate']> {
    if (job.frame === undefined) {
      const layout = job.models.layout;
      job.frame = measurementFrame(layout, job.snapshot);
      this.stats.unboundPmus += job.frame.unboundPmus;
      const f = job.frame;
      // Breaker bits decide the branches they report on; the open-branch rule judges the rest.
      const status = breakerStatus(job.breakers, job.snapshot);
      const detected = detectOpenBranches(layout.set, f.zRe, f.zIm, f.present, this.openThresholdPu);
      const candidates = candidatesWithoutStatus(detected, status);
      job.leftOut = withBreakerStatus(status, this.leftOutFor(job.models, f.present, candidates));
      job.breakersOpen = status.open;
    }
    const { frame, leftOut, breakersOpen } = job;
    return job.models.estimate(
      area,
      frame,
      leftOut!,
      this.options.badData,
      this.openThresholdPu,
      breakersOpen,
    );
  }

  /** openBranchesToLeaveOut, answered from the last call when its inputs are the same (a pure function of them). */
  private leftOutFor(models: AreaModels, present: Uint8Array, candidates: Int32Array): Int32Array {
    const last = this.lastLeftOut;
    // Rows are numbered by the layout, so only an answer computed under the same models is reused.
    if (
      last?.models === models &&
      sameValues(last.present, present) &&
      sameValues(last.candidates, candidates)
    )
      return last.leftOut;
    const leftOut = openBranchesToLeaveOut(models.central, present, candidates);
    this.lastLeftOut = { models, present, candidates, leftOut };
    return leftOut;
  }

  private get openThresholdPu(): number {
    return this.options.openBranchSigmas * this.options.sigmaPu;
  }
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

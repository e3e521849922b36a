import { GridError, partitionBuses, type Network } from '@gridcloud/grid';
import { areasOf, assignAreas, type AreaAssignment } from '../assignment/area-assignment';
import { measurementFrame, type MeasurementFrame } from '../catalog/measurement-frame';
import { bindCatalog, type UnmappedChannel } from '../catalog/measurement-layout';
import { catalogFingerprint, type PmuCatalog } from '../catalog/pmu-catalog';
import { AreaModels } from '../engine/area-models';
import type { AreaResult } from '../engine/area-result';
import { EstimationError } from '../errors/estimation-error';
import { detectOpenBranches } from '../topology/open-branches';
import type { DecodedSnapshot } from '../wire/snapshot-codec';
import { validateWorkerOptions, type WorkerOptions } from './worker-options';

/** What the worker counts; the estimator app prints these in its stats lines. */
export interface WorkerStats {
  snapshotsReceived: number;
  /** Snapshots for which this worker computed at least one area. */
  snapshotsEstimated: number;
  areasComputed: number;
  /** Backup computations skipped because another replica's result arrived first. */
  duplicatesAvoided: number;
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
  openBranches: number[];
}

/** A snapshot being estimated: its frame and topology, computed once for all the areas of this worker. */
interface Job {
  readonly snapshot: DecodedSnapshot;
  readonly models: AreaModels;
  frame?: MeasurementFrame;
  openBranches?: Int32Array;
}

interface PendingBackup {
  readonly dueMs: number;
  readonly job: Job;
  readonly area: number;
}

/**
 * The decision logic of one estimator worker, free of sockets and timers:
 * catalogs and snapshots come in (with the worker list of the delivery), area
 * results come out; `tick(now)` runs backups whose delay passed. Each
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
    snapshotsWithoutCatalog: 0,
    unboundPmus: 0,
    areaFailures: 0,
    computeMsTotal: 0,
    computeMsMax: 0,
    catalogVersion: -1,
    unmappedChannels: 0,
    openBranches: [],
  };
  private models: AreaModels | undefined;
  private fingerprint = '';
  private unmappedList: readonly UnmappedChannel[] = [];
  private assignment: AreaAssignment | undefined;
  private readonly pending: PendingBackup[] = [];
  private readonly seenResults = new Set<string>();

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
    this.models = new AreaModels(this.network, layout, this.labels, this.areaCount, this.options.estimator);
    this.fingerprint = fingerprint;
    this.unmappedList = layout.unmapped;
    this.stats.unmappedChannels = layout.unmapped.length;
    return true;
  }

  /**
   * A snapshot delivered with the workers of that delivery (the members of the
   * estimators view that are also estimator services, in view order). Returns
   * the results computed now; backups wait for tick().
   */
  onSnapshot(
    snapshot: DecodedSnapshot,
    workers: readonly string[],
    self: string,
    nowMs: number,
  ): AreaResult[] {
    this.stats.snapshotsReceived += 1;
    const mine = areasOf(this.assign(workers), self);
    if (mine.length === 0) return [];
    if (this.models === undefined || snapshot.catalogVersion !== this.stats.catalogVersion) {
      this.stats.snapshotsWithoutCatalog += 1;
      return [];
    }
    const job: Job = { snapshot, models: this.models };
    const out: AreaResult[] = [];
    for (const { area, rank } of mine) {
      const delay = rank * this.options.backupDelayMs;
      if (delay === 0 || this.pending.length >= this.options.maxPendingBackups) this.run(job, area, out);
      else this.pending.push({ dueMs: nowMs + delay, job, area });
    }
    if (out.length > 0) this.stats.snapshotsEstimated += 1;
    return out;
  }

  /** A result seen in the results group (from any worker, this one included): a backup for it is no longer needed. */
  onResult(slot: number, area: number): void {
    const key = `${slot}/${area}`;
    if (this.seenResults.has(key)) return;
    this.seenResults.add(key);
    if (this.seenResults.size > this.options.maxRememberedResults)
      this.seenResults.delete(this.seenResults.values().next().value!);
  }

  /** Runs the backups whose delay has passed and whose result has not been seen. */
  tick(nowMs: number): AreaResult[] {
    const out: AreaResult[] = [];
    while (this.pending.length > 0 && this.pending[0].dueMs <= nowMs) {
      const { job, area } = this.pending.shift()!;
      if (this.seenResults.has(`${job.snapshot.slot}/${area}`)) this.stats.duplicatesAvoided += 1;
      else this.run(job, area, out);
    }
    return out;
  }

  get pendingBackups(): number {
    return this.pending.length;
  }

  private assign(workers: readonly string[]): AreaAssignment {
    const a = this.assignment;
    if (a !== undefined && a.workers.length === workers.length && a.workers.every((w, i) => w === workers[i]))
      return a;
    this.assignment = assignAreas(workers, this.areaCount, this.options.replicas);
    return this.assignment;
  }

  private run(job: Job, area: number, out: AreaResult[]): void {
    const started = this.clockMs();
    try {
      const outcome = this.estimate(job, area);
      const computeMs = this.clockMs() - started;
      this.stats.areasComputed += 1;
      this.stats.computeMsTotal += computeMs;
      this.stats.computeMsMax = Math.max(this.stats.computeMsMax, computeMs);
      const s = job.snapshot;
      out.push({
        ...outcome,
        slot: s.slot,
        timeSec: s.timeSec,
        area,
        areaCount: this.areaCount,
        busCount: this.network.busCount,
        catalogVersion: s.catalogVersion,
        openBranches: job.openBranches!,
        computeMs,
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
      const threshold = this.options.openBranchSigmas * this.options.sigmaPu;
      job.openBranches = detectOpenBranches(
        layout.set,
        job.frame.zRe,
        job.frame.zIm,
        job.frame.present,
        threshold,
      );
      this.stats.openBranches = [...job.openBranches];
    }
    return job.models.estimate(area, job.frame, job.openBranches!, this.options.badData);
  }
}

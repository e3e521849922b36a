import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { Subject, type Subscription } from 'rxjs';
import {
  decodeAreaResult,
  ResultCollector,
  type AreaResult,
  type CollectorEvent,
} from '@gridcloud/estimation';
import { SystemViews } from '@gridcloud/nest-vsync';
import { toClusterEvent } from '@gridcloud/supervision';
import { DASHBOARD_OPTIONS } from '../config/dashboard-config.module';
import type { DashboardOptions } from '../config/dashboard-options';
import { QualityReportError } from '../errors/quality-report-error';
import { FrameHistory } from './frame-history';
import { gridFrame, type GridFrame } from './grid-frame';
import { decodeQualityPart } from './ingest-quality-report';
import { MembershipBoard, type MembershipPanel } from './membership-board';
import { networkPicture, type NetworkPicture } from './network-picture';
import { PmuQualityBoard, type IngestQualityPanel } from './pmu-quality-board';
import { ResultQualityTracker, type ResultQuality } from './result-quality';
import { TruthTail } from './truth-tail';

/** Bounds of what the live state keeps, each named with its unit. */
const MAX_OPEN_SNAPSHOTS = 64;
const MAX_CLOSED_SNAPSHOTS = 4096;
const MAX_MEMBERSHIP_EVENTS = 200;
const MAX_LATENCY_SAMPLES = 600;
const MAX_QUALITY_PMUS = 4096;
/** PMUs of ingest's quality reports sent to browsers each second, worst first (the counts cover them all). */
const MAX_SHOWN_QUALITY_PMUS = 200;
const MAX_TRUTH_READ_BYTES = 8 * 1024 * 1024;
const STATUS_INTERVAL_MS = 1000;
/** No estimate for this long raises the stale alarm. */
const STALE_AFTER_MS = 3000;

/** What the page's side panels show, pushed every second. */
export interface DashboardStatus {
  readonly atMs: number;
  readonly lastEstimateAgeMs: number | null;
  readonly stale: boolean;
  /** Per bus (dense index) the area that owns it, as the estimates report; -1 before any result named it. */
  readonly busArea: number[];
  readonly areaCount: number;
  readonly membership: MembershipPanel;
  readonly quality: ResultQuality;
  /** ingest's per-PMU figures from the `ingest.quality` group. */
  readonly ingestQuality: IngestQualityPanel;
  readonly results: { readonly undecodable: number; readonly collector: Record<string, number> };
}

/**
 * The dashboard's live state: the `results` group through libs/estimation's ResultCollector (first copy per
 * (snapshot, area), whole-system estimates), pmu-sim's truth, the system views and the supervisors' events. Every
 * frameIntervalMs the latest estimate, if new, becomes a frame for the browsers; every second a status.
 */
@Injectable()
export class DashboardLive implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly picture: NetworkPicture;
  readonly frames$ = new Subject<GridFrame>();
  readonly status$ = new Subject<DashboardStatus>();
  readonly history: FrameHistory;
  readonly collector = new ResultCollector({
    maxOpenSnapshots: MAX_OPEN_SNAPSHOTS,
    maxClosedSnapshots: MAX_CLOSED_SNAPSHOTS,
  });
  private readonly membership = new MembershipBoard(MAX_MEMBERSHIP_EVENTS);
  private readonly quality = new ResultQualityTracker(MAX_LATENCY_SAMPLES, MAX_QUALITY_PMUS);
  private readonly ingestQuality = new PmuQualityBoard(MAX_QUALITY_PMUS, MAX_SHOWN_QUALITY_PMUS);
  private readonly truth: TruthTail | undefined;
  private readonly busArea: number[];
  private areaCount = 0;
  private latest: GridFrame | undefined;
  private latestPublished: GridFrame | undefined;
  private lastEstimateAtMs: number | undefined;
  private undecodable = 0;
  private framesPublished = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private views: Subscription | undefined;

  constructor(
    @Inject(DASHBOARD_OPTIONS) private readonly options: DashboardOptions,
    @Inject(SystemViews) private readonly systemViews: SystemViews,
  ) {
    this.picture = networkPicture(options.network);
    this.history = new FrameHistory(options.settings.maxHistoryFrames);
    this.truth =
      options.truthPath === undefined ? undefined : new TruthTail(options.truthPath, MAX_TRUTH_READ_BYTES);
    this.busArea = new Array<number>(options.network.busCount).fill(-1);
  }

  onModuleInit(): void {
    this.views = this.systemViews.views$.subscribe((v) => this.membership.onSystemView(v, Date.now()));
  }

  onApplicationBootstrap(): void {
    this.timers.push(setInterval(() => this.publishFrame(), this.options.settings.frameIntervalMs));
    this.timers.push(setInterval(() => this.status$.next(this.status()), STATUS_INTERVAL_MS));
  }

  beforeApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
    this.views?.unsubscribe();
    this.frames$.complete();
    this.status$.complete();
  }

  /** One area's result from the `results` group; bytes that do not decode are counted, never thrown. */
  onAreaResult(bytes: Uint8Array): void {
    let result: AreaResult;
    try {
      result = decodeAreaResult(bytes);
    } catch {
      this.undecodable += 1;
      return;
    }
    const copiesBefore = this.collector.counters.duplicates + this.collector.counters.late;
    const events = this.collector.offer(result);
    if (this.collector.counters.duplicates + this.collector.counters.late === copiesBefore)
      this.onFirstCopy(result);
    for (const e of events) this.onCollected(e, Date.now());
  }

  /** One part of ingest's quality report; a payload that is not one is counted, never thrown. */
  onQualityReport(payload: unknown): void {
    try {
      this.ingestQuality.onPart(decodeQualityPart(payload), Date.now());
    } catch (error) {
      if (!(error instanceof QualityReportError)) throw error;
      this.ingestQuality.onInvalid();
    }
  }

  onClusterEvent(payload: unknown): void {
    const event = toClusterEvent(payload);
    if (event !== undefined) this.membership.onClusterEvent(event, Date.now());
  }

  /** Per bus the area that owns it, as the estimates report it (-1: not named yet). */
  get busAreas(): readonly number[] {
    return this.busArea;
  }

  get areas(): number {
    return this.areaCount;
  }

  get latestFrame(): GridFrame | undefined {
    return this.latestPublished;
  }

  status(): DashboardStatus {
    const now = Date.now();
    const age = this.lastEstimateAtMs === undefined ? null : now - this.lastEstimateAtMs;
    return {
      atMs: now,
      lastEstimateAgeMs: age,
      stale: age === null || age > STALE_AFTER_MS,
      busArea: [...this.busArea],
      areaCount: this.areaCount,
      membership: this.membership.panel(),
      quality: this.quality.report(),
      ingestQuality: this.ingestQuality.panel(now),
      results: { undecodable: this.undecodable, collector: { ...this.collector.counters } },
    };
  }

  stats(): Record<string, unknown> {
    return {
      framesPublished: this.framesPublished,
      lastSlot: this.latestPublished?.slot ?? null,
      undecodable: this.undecodable,
      collector: { ...this.collector.counters },
    };
  }

  private onFirstCopy(r: AreaResult): void {
    this.areaCount = r.areaCount;
    for (let i = 0; i < r.buses.length; i += 1) if (r.own[i] === 1) this.busArea[r.buses[i]] = r.area;
    // An own bus the area could not determine is listed apart (another area may estimate it across a tie-line).
    for (const b of r.unobservable) this.busArea[b] = r.area;
    this.quality.onAreaResult(r);
  }

  private onCollected(e: CollectorEvent, nowMs: number): void {
    if (e.type === 'incomplete') {
      this.quality.onIncomplete(e.missingAreas.length);
      return;
    }
    if (this.latest !== undefined && e.estimate.slot <= this.latest.slot) return; // an older snapshot, completed late
    this.truth?.read();
    const ctx = {
      referenceBus: this.picture.referenceBus,
      angleSpreadAlarmDeg: this.options.settings.angleSpreadAlarmDeg,
    };
    this.latest = gridFrame(e.estimate, ctx, nowMs, this.truth?.at(e.estimate.timeSec));
    this.lastEstimateAtMs = nowMs;
    this.quality.onEstimate(this.latest.latencyMs);
  }

  private publishFrame(): void {
    const frame = this.latest;
    if (frame === undefined || frame === this.latestPublished) return;
    this.latestPublished = frame;
    this.framesPublished += 1;
    this.history.push(frame);
    this.frames$.next(frame);
  }
}

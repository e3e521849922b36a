import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppMetrics, VsyncGroups } from '@gridcloud/nest-vsync';
import { GroupClient } from '@gridcloud/vsync';
import { INGEST_CONFIG } from '../config/ingest-config.module';
import type { IngestSettings } from '../config/ingest-options';
import { IngestApp } from '../runtime/ingest-app';
import { QUALITY_GROUP } from '../sinks/quality-report-parts';

/**
 * The PDC inside Nest: IngestApp is built with the provider (publishing to the estimator group on the app's shared
 * vsync process when VsyncModule is there), started when the application bootstraps and stopped when it shuts
 * down, printing the `stats` and `stopped` JSON lines on stdout.
 */
@Injectable()
export class IngestRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly app: IngestApp;
  private udpPort = 0;
  private statsTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(INGEST_CONFIG) private readonly settings: IngestSettings,
    @Inject(AppMetrics) metrics: AppMetrics,
    @Optional() @Inject(VsyncGroups) groups: VsyncGroups | undefined,
  ) {
    // A regional PDC publishes to Kafka only; the merger publishes to the estimator group.
    const estimators =
      settings.ingest.region !== undefined
        ? undefined
        : settings.ingest.vsyncPublish === 'client' && groups !== undefined
          ? new GroupClient(settings.ingest.vsyncGroup, groups.process)
          : groups?.get(settings.ingest.vsyncGroup);
    this.app = new IngestApp(
      settings.ingest,
      (line) => process.stderr.write(`ingest: ${line}\n`),
      [],
      estimators,
      settings.ingest.qualityIntervalMs > 0 ? groups?.get(QUALITY_GROUP) : undefined,
    );
    const aligner = () => this.app.alignerCounters();
    metrics.counter(
      'gridcloud_ingest_snapshots_total',
      'aligned snapshots released',
      () => aligner().snapshots,
    );
    metrics.counter(
      'gridcloud_ingest_frames_offered_total',
      'frames offered to the aligner',
      () => aligner().framesOffered,
    );
    metrics.counter(
      'gridcloud_ingest_frames_late_total',
      'frames that came after their snapshot left',
      () => aligner().framesLate,
    );
    metrics.counter(
      'gridcloud_ingest_missing_frames_total',
      'expected frames absent from snapshots',
      () => aligner().missingFrames,
    );
  }

  /** The fields of the `ready` line that belong to ingest. */
  get ready(): Record<string, unknown> {
    return { udpPort: this.udpPort };
  }

  async onApplicationBootstrap(): Promise<void> {
    ({ udpPort: this.udpPort } = await this.app.start((gap) => {
      // On stdout for a reader of the JSON lines, in the log for an operator (a supervised process's stdout is not kept).
      printLine({ event: 'region-gap', ...gap });
      process.stderr.write(`ingest: region-gap ${JSON.stringify(gap)}\n`);
    }));
    const intervalMs = this.settings.cluster.statsIntervalMs;
    if (intervalMs > 0)
      this.statsTimer = setInterval(
        () => printLine({ event: 'stats', atMs: Date.now(), cpuMs: cpuMs(), ...this.app.report('summary') }),
        intervalMs,
      );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.statsTimer);
    await this.app.stop();
    printLine({ event: 'stopped', ...this.app.report() });
  }
}

function printLine(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** CPU time this process has used, user plus system, in milliseconds: benchmarks turn it into utilisation. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

import { vsyncSecretOf, vsyncTlsOf } from '@gridcloud/command-line';
import { Module, type DynamicModule } from '@nestjs/common';
import { VsyncHealthModule, VsyncModule } from '@gridcloud/nest-vsync';
import { IngestConfigModule } from '../config/ingest-config.module';
import type { IngestSettings } from '../config/ingest-options';
import { QUALITY_GROUP } from '../sinks/quality-report-parts';
import { IngestRunner } from './ingest-runner';

/** The liveness group supervisors watch to know this ingest is up. */
export const LIVENESS_GROUP = 'service.ingest';

/**
 * ingest as a Nest app: its settings, /health and /metrics, the PDC itself, and, when --vsync-seeds are given, one
 * vsync process through VsyncModule that is in the liveness group and publishes to the estimator group.
 */
@Module({})
export class AppModule {
  static forRoot(settings: IngestSettings): DynamicModule {
    const { cluster, ingest } = settings;
    // The quality group is joined only when reports are sent, so a member of it is a publisher.
    // As a client (--vsync-publish client) ingest reaches the estimator group through a member, without joining it;
    // a regional PDC (--region) does not reach it at all: the merger does.
    const groups = [
      LIVENESS_GROUP,
      ...(ingest.vsyncPublish === 'member' && ingest.region === undefined ? [ingest.vsyncGroup] : []),
      ...(ingest.qualityIntervalMs > 0 ? [QUALITY_GROUP] : []),
    ];
    const vsync =
      cluster.vsyncSeeds.length === 0
        ? []
        : [
            VsyncModule.forRoot({
              bindHost: cluster.vsyncHost,
              bindPort: cluster.vsyncPort,
              secret: vsyncSecretOf(cluster),
              tls: vsyncTlsOf(cluster),
              seeds: ingest.vsyncSeeds,
              // A member, never the founder: the estimators and supervisors found the system.
              founder: false,
              groups,
              // Ingest only publishes to the estimator and quality groups: it joins them at bootstrap, with no handlers.
              join: groups,
            }),
          ];
    return {
      module: AppModule,
      imports: [IngestConfigModule.forRoot(settings), VsyncHealthModule, ...vsync],
      providers: [IngestRunner],
    };
  }
}

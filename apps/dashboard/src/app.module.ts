import { vsyncSecretOf, vsyncTlsOf } from '@gridcloud/command-line';
import { Module, type DynamicModule } from '@nestjs/common';
import { RESULTS_GROUP } from '@gridcloud/estimation';
import { VsyncHealthModule, VsyncModule } from '@gridcloud/nest-vsync';
import { CLUSTER_EVENTS_GROUP } from '@gridcloud/supervision';
import { DashboardConfigModule } from './config/dashboard-config.module';
import type { DashboardOptions } from './config/dashboard-options';
import { DashboardGateway } from './gateway/dashboard.gateway';
import { DashboardHandlers } from './live/dashboard-handlers.controller';
import { DashboardLive } from './live/dashboard-live.service';
import { AsOfController } from './replay/as-of.controller';
import { ReplayGateway } from './replay/replay.gateway';
import { ReplayJobs } from './replay/replay-jobs.service';
import { INGEST_QUALITY_GROUP } from './live/ingest-quality-report';
import { ResultsHandlers } from './live/results-handlers.controller';
import { ResultsSubscription } from './live/results-subscription.service';
import { PageController } from './web/page.controller';

/** The liveness group supervisors watch to know this dashboard is up. */
export const LIVENESS_GROUP = 'service.dashboard';

/**
 * The dashboard: its configuration, one vsync process in `service.dashboard` (joined at bootstrap), `ingest.quality`
 * and `cluster.events` (joined by VsyncServer once the handlers are in place), `results` through a GroupClient
 * subscription (--vsync-results client) or as a member (ResultsHandlers), /health and /metrics, the live state, the
 * socket.io gateway and the page.
 */
@Module({})
export class AppModule {
  static forRoot(options: DashboardOptions): DynamicModule {
    const seeds = options.settings.vsyncSeeds.map((s) => `${s.host}:${s.port}`);
    const member = options.settings.vsyncResults === 'member';
    return {
      module: AppModule,
      imports: [
        DashboardConfigModule.forRoot(options),
        VsyncModule.forRoot({
          bindHost: options.settings.vsyncHost,
          bindPort: options.settings.vsyncPort,
          secret: vsyncSecretOf(options.settings),
          tls: vsyncTlsOf(options.settings),
          seeds: seeds.length > 0 ? seeds : undefined,
          // A watcher, never the founder: the cluster's own processes found the system.
          founder: seeds.length > 0 ? false : undefined,
          groups: [
            LIVENESS_GROUP,
            CLUSTER_EVENTS_GROUP,
            INGEST_QUALITY_GROUP,
            ...(member ? [RESULTS_GROUP] : []),
          ],
          join: [LIVENESS_GROUP],
        }),
        VsyncHealthModule,
      ],
      controllers: [DashboardHandlers, PageController, AsOfController, ...(member ? [ResultsHandlers] : [])],
      providers: [DashboardLive, ResultsSubscription, DashboardGateway, ReplayJobs, ReplayGateway],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { VsyncHealthModule, VsyncModule } from '@gridcloud/nest-vsync';
import { AGENTS_GROUP, CLUSTER_EVENTS_GROUP, SUPERVISORS_GROUP } from '@gridcloud/supervision';
import { SupervisorConfigModule } from './config/supervisor-config.module';
import type { SupervisorOptions } from './config/supervisor-options';
import { SupervisionModule } from './supervision/supervision.module';

export const LIVENESS_GROUP = 'service.supervisor';

/**
 * The supervisor: its configuration, one vsync process in `service.supervisor`, `supervisors` (rank 0 acts) and
 * `cluster.events` (joined at bootstrap) and `agents` (joined by the server once its handlers are in place),
 * GET /health and /metrics, and the supervision feature.
 */
@Module({})
export class AppModule {
  static forRoot(options: SupervisorOptions): DynamicModule {
    const seeds = options.vsyncSeeds.length > 0 ? options.vsyncSeeds : undefined;
    return {
      module: AppModule,
      imports: [
        SupervisorConfigModule.forRoot(options),
        VsyncModule.forRoot({
          bindHost: options.vsyncHost,
          bindPort: options.vsyncPort,
          secret: options.vsyncSecret,
          tls: options.vsyncTls,
          seeds,
          // The agent, never restarted, founds the system; a supervisor always joins one.
          founder: seeds === undefined ? undefined : false,
          core: {
            failureTimeoutMs: options.failureTimeoutMs,
            heartbeatIntervalMs: options.heartbeatIntervalMs,
          },
          groups: [SUPERVISORS_GROUP, AGENTS_GROUP, CLUSTER_EVENTS_GROUP, LIVENESS_GROUP],
          // `supervisors` and `agents` are joined by VsyncServer, once their @EventPattern handlers are registered.
          join: [LIVENESS_GROUP, CLUSTER_EVENTS_GROUP],
        }),
        VsyncHealthModule,
        SupervisionModule,
      ],
    };
  }
}

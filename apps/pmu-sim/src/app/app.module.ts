import { vsyncSecretOf, vsyncTlsOf } from '@gridcloud/command-line';
import { Module, type DynamicModule } from '@nestjs/common';
import { VsyncHealthModule, VsyncModule } from '@gridcloud/nest-vsync';
import { SimConfigModule } from '../config/sim-config.module';
import type { SimSettings } from '../config/sim-options';
import { PmuSimRunner } from './pmu-sim-runner';

/** The liveness group supervisors watch to know this simulator is up. */
export const LIVENESS_GROUP = 'service.pmu-sim';

/**
 * pmu-sim as a Nest app: its settings, /health and /metrics, the simulator itself, and, when --vsync-seeds are
 * given, membership of the liveness group through VsyncModule.
 */
@Module({})
export class AppModule {
  static forRoot(settings: SimSettings): DynamicModule {
    const { cluster } = settings;
    const vsync =
      cluster.vsyncSeeds.length === 0
        ? []
        : [
            VsyncModule.forRoot({
              bindHost: cluster.vsyncHost,
              bindPort: cluster.vsyncPort,
              secret: vsyncSecretOf(cluster),
              tls: vsyncTlsOf(cluster),
              seeds: cluster.vsyncSeeds.map((s) => `${s.host}:${s.port}`),
              groups: [LIVENESS_GROUP],
              join: [LIVENESS_GROUP],
            }),
          ];
    return {
      module: AppModule,
      imports: [SimConfigModule.forRoot(settings), VsyncHealthModule, ...vsync],
      providers: [PmuSimRunner],
    };
  }
}

import { vsyncSecretOf, vsyncTlsOf } from '@gridcloud/command-line';
import { Module, type DynamicModule } from '@nestjs/common';
import { ESTIMATORS_GROUP, RESULTS_GROUP } from '@gridcloud/estimation';
import { VsyncHealthModule, VsyncModule } from '@gridcloud/nest-vsync';
import { CLUSTER_EVENTS_GROUP } from '@gridcloud/supervision';
import { RecorderConfigModule } from './config/recorder-config.module';
import type { RecorderOptions } from './config/recorder-options';
import { RecorderModule } from './recording/recorder.module';

/** The recorder's liveness group. */
export const RECORDER_SERVICE_GROUP = 'service.recorder';

/**
 * The recorder: its configuration, one vsync process in `service.recorder` (joined at bootstrap), `estimators`,
 * `results` and `cluster.events` (joined by the server once the handlers are in place), GET /health and /metrics,
 * and the recording feature (InfluxDB writes, the Redis recording, the job worker).
 */
@Module({})
export class AppModule {
  static forRoot(options: RecorderOptions): DynamicModule {
    const s = options.settings;
    const seeds = s.vsyncSeeds.map((x) => `${x.host}:${x.port}`);
    return {
      module: AppModule,
      imports: [
        RecorderConfigModule.forRoot(options),
        VsyncModule.forRoot({
          bindHost: s.vsyncHost,
          bindPort: s.vsyncPort,
          secret: vsyncSecretOf(s),
          tls: vsyncTlsOf(s),
          seeds: seeds.length > 0 ? seeds : undefined,
          groups: [ESTIMATORS_GROUP, RESULTS_GROUP, CLUSTER_EVENTS_GROUP, RECORDER_SERVICE_GROUP],
          join: [RECORDER_SERVICE_GROUP],
        }),
        VsyncHealthModule,
        RecorderModule,
      ],
    };
  }
}

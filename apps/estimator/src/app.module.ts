import { vsyncSecretOf, vsyncTlsOf } from '@gridcloud/command-line';
import { Module, type DynamicModule } from '@nestjs/common';
import { ESTIMATOR_SERVICE_GROUP, ESTIMATORS_GROUP, RESULTS_GROUP } from '@gridcloud/estimation';
import { VsyncHealthModule, VsyncModule } from '@gridcloud/nest-vsync';
import { EstimatorConfigModule } from './config/estimator-config.module';
import type { EstimatorOptions } from './config/estimator-options';
import { EstimationModule } from './estimation/estimation.module';

/**
 * The estimator: its configuration, one vsync process in `service.estimator`
 * (joined at bootstrap), `estimators` and `results` (joined by the server once
 * the handlers are in place), GET /health and /metrics, and the estimation feature.
 */
@Module({})
export class AppModule {
  static forRoot(options: EstimatorOptions): DynamicModule {
    const seeds = options.settings.vsyncSeeds.map((s) => `${s.host}:${s.port}`);
    return {
      module: AppModule,
      imports: [
        EstimatorConfigModule.forRoot(options),
        VsyncModule.forRoot({
          bindHost: options.settings.vsyncHost,
          bindPort: options.settings.vsyncPort,
          secret: vsyncSecretOf(options.settings),
          tls: vsyncTlsOf(options.settings),
          seeds: seeds.length > 0 ? seeds : undefined,
          groups: [ESTIMATORS_GROUP, RESULTS_GROUP, ESTIMATOR_SERVICE_GROUP],
          join: [ESTIMATOR_SERVICE_GROUP],
        }),
        VsyncHealthModule,
        EstimationModule,
      ],
    };
  }
}

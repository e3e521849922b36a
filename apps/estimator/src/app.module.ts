import { Module, type DynamicModule } from '@nestjs/common';
import { ESTIMATOR_SERVICE_GROUP, ESTIMATORS_GROUP, RESULTS_GROUP } from '@gridcloud/estimation';
import { VsyncModule } from '@gridcloud/nest-vsync';
import { EstimatorConfigModule } from './config/estimator-config.module';
import type { EstimatorOptions } from './config/estimator-options';
import { EstimationModule } from './estimation/estimation.module';

/**
 * The estimator: its configuration, one vsync process in `service.estimator`
 * (joined at bootstrap), `estimators` and `results` (joined by the server once
 * the handlers are in place), and the estimation feature.
 */
@Module({})
export class AppModule {
  static forRoot(options: EstimatorOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EstimatorConfigModule.forRoot(options),
        VsyncModule.forRoot({
          bindHost: options.vsyncHost,
          bindPort: options.vsyncPort,
          seeds: options.vsyncSeeds.length > 0 ? options.vsyncSeeds : undefined,
          groups: [ESTIMATORS_GROUP, RESULTS_GROUP, ESTIMATOR_SERVICE_GROUP],
          join: [ESTIMATOR_SERVICE_GROUP],
        }),
        EstimationModule,
      ],
    };
  }
}

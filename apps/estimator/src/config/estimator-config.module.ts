import { Module, type DynamicModule } from '@nestjs/common';
import type { EstimatorOptions } from './estimator-options';

/** Injection token of the estimator's validated configuration. */
export const ESTIMATOR_OPTIONS = Symbol('ESTIMATOR_OPTIONS');

/** The one validated configuration, parsed before the app is built and provided to every module. */
@Module({})
export class EstimatorConfigModule {
  static forRoot(options: EstimatorOptions): DynamicModule {
    return {
      module: EstimatorConfigModule,
      global: true,
      providers: [{ provide: ESTIMATOR_OPTIONS, useValue: options }],
      exports: [ESTIMATOR_OPTIONS],
    };
  }
}

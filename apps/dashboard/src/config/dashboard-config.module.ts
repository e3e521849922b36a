import { Module, type DynamicModule } from '@nestjs/common';
import type { DashboardOptions } from './dashboard-options';

/** Injection token of the dashboard's validated configuration. */
export const DASHBOARD_OPTIONS = Symbol('DASHBOARD_OPTIONS');

/** The one validated configuration, parsed before the app is built and provided to every module. */
@Module({})
export class DashboardConfigModule {
  static forRoot(options: DashboardOptions): DynamicModule {
    return {
      module: DashboardConfigModule,
      global: true,
      providers: [{ provide: DASHBOARD_OPTIONS, useValue: options }],
      exports: [DASHBOARD_OPTIONS],
    };
  }
}

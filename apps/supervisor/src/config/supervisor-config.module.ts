import { Module, type DynamicModule } from '@nestjs/common';
import type { SupervisorOptions } from './supervisor-options';

/** The injection token of the validated options. */
export const SUPERVISOR_OPTIONS = Symbol('SUPERVISOR_OPTIONS');

/** The supervisor's one validated configuration (flags, then GRIDCLOUD_* variables, then the desired-state file). */
@Module({})
export class SupervisorConfigModule {
  static forRoot(options: SupervisorOptions): DynamicModule {
    return {
      module: SupervisorConfigModule,
      global: true,
      providers: [{ provide: SUPERVISOR_OPTIONS, useValue: options }],
      exports: [SUPERVISOR_OPTIONS],
    };
  }
}

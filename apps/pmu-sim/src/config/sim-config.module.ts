import { Module, type DynamicModule } from '@nestjs/common';
import type { SimSettings } from './sim-options';

/** Injection token of the simulator's parsed settings (SimSettings). */
export const SIM_CONFIG = Symbol('SIM_CONFIG');

/** The one validated configuration of pmu-sim: its settings, parsed and checked by main before Nest starts. */
@Module({})
export class SimConfigModule {
  static forRoot(settings: SimSettings): DynamicModule {
    return {
      module: SimConfigModule,
      global: true,
      providers: [{ provide: SIM_CONFIG, useValue: settings }],
      exports: [SIM_CONFIG],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import type { RecorderOptions } from './recorder-options';

/** Injection token of the recorder's validated configuration. */
export const RECORDER_OPTIONS = Symbol('RECORDER_OPTIONS');

/** The one validated configuration, parsed before the app is built and provided to every module. */
@Module({})
export class RecorderConfigModule {
  static forRoot(options: RecorderOptions): DynamicModule {
    return {
      module: RecorderConfigModule,
      global: true,
      providers: [{ provide: RECORDER_OPTIONS, useValue: options }],
      exports: [RECORDER_OPTIONS],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import type { IngestSettings } from './ingest-options';

/** Injection token of ingest's parsed settings (IngestSettings). */
export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

/** The one validated configuration of ingest: its settings, parsed and checked by main before Nest starts. */
@Module({})
export class IngestConfigModule {
  static forRoot(settings: IngestSettings): DynamicModule {
    return {
      module: IngestConfigModule,
      global: true,
      providers: [{ provide: INGEST_CONFIG, useValue: settings }],
      exports: [INGEST_CONFIG],
    };
  }
}

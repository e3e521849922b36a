import { Module, type DynamicModule } from '@nestjs/common';
import type { FileStoreSettings } from './filestore-settings';

/** The injection token of the validated settings. */
export const FILESTORE_SETTINGS_TOKEN = Symbol('FILESTORE_SETTINGS');

/** The replica's one validated configuration (flags, then GRIDCLOUD_* variables, then defaults). */
@Module({})
export class FileStoreConfigModule {
  static forRoot(settings: FileStoreSettings): DynamicModule {
    return {
      module: FileStoreConfigModule,
      global: true,
      providers: [{ provide: FILESTORE_SETTINGS_TOKEN, useValue: settings }],
      exports: [FILESTORE_SETTINGS_TOKEN],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { vsyncSecretOf } from '@gridcloud/command-line';
import { VsyncHealthModule, VsyncModule } from '@gridcloud/nest-vsync';
import { FileStoreConfigModule } from './config/filestore-config.module';
import type { FileStoreSettings } from './config/filestore-settings';
import { FilesModule } from './http/files.module';

/** The file store's liveness group. */
export const FILESTORE_SERVICE_GROUP = 'service.filestore';

/**
 * Every append is one large ordered message. A member acknowledges each one as it arrives (and so announces its
 * clock): the total order delivers a message once every member announced a later clock, and waiting for a burst
 * of 32 or for the next tick held appends back for nothing, since an acknowledgement is tiny beside an append.
 */
const ACK_THRESHOLD_MESSAGES = 1;

/**
 * A file store replica: its configuration, one vsync process in `service.filestore` (joined at bootstrap; the
 * store joins its own `filestore` group when it opens), GET /health and /metrics, and the files API.
 */
@Module({})
export class AppModule {
  static forRoot(settings: FileStoreSettings): DynamicModule {
    const seeds = settings.vsyncSeeds.map((x) => `${x.host}:${x.port}`);
    return {
      module: AppModule,
      imports: [
        FileStoreConfigModule.forRoot(settings),
        VsyncModule.forRoot({
          bindHost: settings.vsyncHost,
          bindPort: settings.vsyncPort,
          secret: vsyncSecretOf(settings),
          seeds: seeds.length > 0 ? seeds : undefined,
          core: {
            failureTimeoutMs: settings.failureTimeoutMs,
            heartbeatIntervalMs: settings.heartbeatIntervalMs,
            retransmitIntervalMs: settings.retransmitIntervalMs,
            ackThresholdMessages: ACK_THRESHOLD_MESSAGES,
            sendWindowBytes: settings.sendWindowBytes,
          },
          groups: [FILESTORE_SERVICE_GROUP],
          join: [FILESTORE_SERVICE_GROUP],
        }),
        VsyncHealthModule,
        FilesModule,
      ],
    };
  }
}

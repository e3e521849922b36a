/**
 * filestore: one replica of the replicated, temporal file store. Joins `service.filestore` and the store's
 * `filestore` group, serves the files API over HTTP (apps/filestore/README.md), prints {"event":"ready",...} once
 * it serves, {"event":"stats",...} every --stats-interval-ms and {"event":"stopped",...} when it stops.
 */
import 'reflect-metadata';
import { bootService, ServiceBindError } from '@gridcloud/nest-vsync';
import { VsyncProcess } from '@gridcloud/vsync';
import { AppModule } from './app.module';
import {
  FILESTORE_SETTINGS,
  parseFileStoreSettings,
  type FileStoreSettings,
} from './config/filestore-settings';
import { FileStoreConfigError } from './errors/filestore-config-error';
import { printLine as print } from './store/json-line';
import { ReplicaService } from './store/replica.service';

async function main(s: FileStoreSettings): Promise<void> {
  const booted = await bootService({
    service: 'filestore',
    module: AppModule.forRoot(s),
    vsyncHost: s.vsyncHost,
    vsyncPort: s.vsyncPort,
    httpPort: s.httpPort,
    durationS: s.durationS,
    bodyParser: false,
  });
  const replica = booted.app.get(ReplicaService);
  const self = booted.app.get(VsyncProcess).self;
  print({
    event: 'ready',
    vsync: self.address,
    incarnation: self.incarnation,
    httpPort: booted.httpPort,
    dataDir: s.dataDir,
    durable: s.durable,
    ackReplicas: s.ackReplicas,
  });
  const stats = (): Record<string, unknown> => ({ atMs: Date.now(), ...replica.stats() });
  if (s.statsIntervalMs > 0)
    setInterval(() => print({ event: 'stats', ...stats() }), s.statsIntervalMs).unref();
}

const argv = process.argv.slice(2);
if (FILESTORE_SETTINGS.wantsHelp(argv)) {
  process.stdout.write(`${FILESTORE_SETTINGS.help()}\n`);
  process.exit(0);
}
let settings: FileStoreSettings;
try {
  settings = parseFileStoreSettings(argv, process.env);
} catch (error) {
  if (!(error instanceof FileStoreConfigError)) throw error;
  process.stderr.write(`filestore: ${error.message}\n`);
  process.exit(2);
}
main(settings).catch((error: unknown) => {
  process.stderr.write(`filestore: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ServiceBindError ? 2 : 1);
});

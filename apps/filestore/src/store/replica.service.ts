import {
  Inject,
  Injectable,
  ServiceUnavailableException,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { FileStore } from '@gridcloud/filestore';
import { AppMetrics } from '@gridcloud/nest-vsync';
import { VsyncProcess } from '@gridcloud/vsync';
import { FILESTORE_SETTINGS_TOKEN } from '../config/filestore-config.module';
import type { FileStoreSettings } from '../config/filestore-settings';
import { printLine } from './json-line';

/** What the HTTP side counted, beside the store's own figures. */
export interface HttpCounters {
  appends: number;
  appendedRecords: number;
  appendedBytes: number;
  reads: number;
  readRecords: number;
  refused: number;
}

/**
 * This process's replica of the file store: opened on the shared vsync process once the app has booted (it joins
 * the `filestore` group, replays its own log and catches up from the group), closed before the process leaves.
 */
@Injectable()
export class ReplicaService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly counters: HttpCounters = {
    appends: 0,
    appendedRecords: 0,
    appendedBytes: 0,
    reads: 0,
    readRecords: 0,
    refused: 0,
  };
  private opened: FileStore | undefined;
  private lastStats: unknown = null;

  constructor(
    @Inject(VsyncProcess) private readonly process: VsyncProcess,
    @Inject(FILESTORE_SETTINGS_TOKEN) private readonly settings: FileStoreSettings,
    @Inject(AppMetrics) metrics: AppMetrics,
  ) {
    const c = this.counters;
    metrics.counter('gridcloud_filestore_appends_total', 'appends acknowledged', () => c.appends);
    metrics.counter(
      'gridcloud_filestore_appended_records_total',
      'records acknowledged',
      () => c.appendedRecords,
    );
    metrics.counter(
      'gridcloud_filestore_appended_bytes_total',
      'data bytes acknowledged',
      () => c.appendedBytes,
    );
    metrics.counter('gridcloud_filestore_reads_total', 'reads and snapshots served', () => c.reads);
    metrics.counter('gridcloud_filestore_refused_requests_total', 'requests answered 4xx', () => c.refused);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.opened = await FileStore.open(this.process, {
      dataDir: this.settings.dataDir,
      durable: this.settings.durable,
      ackReplicas: this.settings.ackReplicas,
      maxBatchBytes: this.settings.maxBatchBytes,
      maxBatchRecords: this.settings.maxBatchRecords,
      maxPendingAppends: this.settings.maxPendingAppends,
      maxCommitAppends: this.settings.maxCommitAppends,
      maxCommitRecords: this.settings.maxCommitRecords,
      maxCommitBytes: this.settings.maxCommitBytes,
      maxCommitsInFlight: this.settings.maxCommitsInFlight,
      appendTimeoutMs: this.settings.appendTimeoutMs,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const store = this.opened;
    this.opened = undefined;
    this.lastStats = store?.stats();
    await store?.close();
    printLine({ event: 'stopped', atMs: Date.now(), ...this.stats() });
  }

  /** The open store; 503 while it is opening or closing, so a client tries another replica. */
  get store(): FileStore {
    if (this.opened === undefined)
      throw new ServiceUnavailableException('this replica is not serving (starting or stopping)');
    return this.opened;
  }

  stats(): Record<string, unknown> {
    return { ...this.counters, store: this.opened?.stats() ?? this.lastStats };
  }
}

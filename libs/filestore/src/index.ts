/**
 * @gridcloud/filestore: a replicated file store with temporal reads, in the spirit of Cornell's Freeze-Frame File
 * System. One FileStore is one replica, a member of the `filestore` vsync group.
 *
 *   const store = await FileStore.open(process, { dataDir, durable: true, ackReplicas: 2 });
 *   await store.append('pmu/17/2026-12-02T11', [{ userTimeNs, data }]);
 *   for await (const r of store.read('pmu/17/2026-12-02T11', { timeNs, clock: 'user' })) ...
 *
 * This barrel is the library's only public surface.
 */
export { FileStore } from './runtime/file-store';
export type { AppendResult, FileInfo, FileStoreStats } from './runtime/file-store-stats';
export type { RecoveryReport } from './storage/store-log';
export {
  resolveFileStoreOptions,
  MAX_BATCH_BYTES_LIMIT,
  type FileStoreOptions,
  type ResolvedFileStoreOptions,
} from './file-store-options';
export { validateFilePath, MAX_FILE_PATH_LENGTH, MAX_PATH_SEGMENT_LENGTH } from './protocol/file-path';
export {
  compareHlc,
  tickHlc,
  mergeHlc,
  stampBatch,
  hlcCutOf,
  HLC_ZERO,
  type HlcTimestamp,
} from './protocol/hlc';
export {
  MAX_USER_TIME_NS,
  type FileRecordInput,
  type StoredRecord,
  type TimeClock,
  type TemporalPoint,
} from './protocol/records';
export { inCut } from './protocol/temporal-cut';
export {
  FileStoreError,
  FileStorePathError,
  FileStoreRecordError,
  FileStoreOptionsError,
  FileStoreAckError,
  FileStoreClosedError,
  FileStoreOverloadError,
  FileStoreCatchUpError,
  FileStoreNotMemberError,
} from './errors';
export * from './client';

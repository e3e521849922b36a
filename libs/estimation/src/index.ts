/**
 * @gridcloud/estimation: replicated state estimation for the estimator group.
 * Wire encodings of snapshots, the PMU catalog and area results; the catalog's
 * channels mapped onto the network; the open-branch rule; the deterministic
 * area assignment; the pure worker; and the ResultCollector every consumer of
 * `results` uses. This barrel is the library's only public surface.
 */
export { EstimationError } from './errors/estimation-error';
export { WireFormatError } from './errors/wire-format-error';
export { ChannelMapError } from './errors/channel-map-error';
export { EstimationConfigError } from './errors/estimation-config-error';
export {
  encodeSnapshot,
  decodeSnapshot,
  type SnapshotInput,
  type SnapshotPmuValue,
  type DecodedSnapshot,
} from './wire/snapshot-codec';
export { encodeCatalog, decodeCatalog } from './wire/catalog-codec';
export { encodeAreaResult, decodeAreaResult, peekAreaResult } from './wire/result-codec';
export { wallClockMs, type PathStamps } from './wire/stamps';
export {
  catalogFingerprint,
  type PmuCatalog,
  type CatalogPmu,
  type CatalogChannel,
} from './catalog/pmu-catalog';
export { parseChannelMap, channelKey, type ChannelMap, type ChannelMapEntry } from './catalog/channel-map';
export {
  bindCatalog,
  type MeasurementLayout,
  type PmuBinding,
  type UnmappedChannel,
} from './catalog/measurement-layout';
export { measurementFrame, type MeasurementFrame } from './catalog/measurement-frame';
export { detectOpenBranches, openBranchesToLeaveOut } from './topology/open-branches';
export {
  breakerMap,
  breakerStatus,
  type BreakerBit,
  type BreakerMap,
  type BreakerStatus,
  type SnapshotDigitals,
} from './topology/breaker-status';
export { AreaModels, type AreaOutcome } from './engine/area-models';
export type { AreaResult } from './engine/area-result';
export { assignAreas, areasOf, type AreaAssignment } from './assignment/area-assignment';
export { deliveryWorkers } from './assignment/delivery-workers';
export { EstimationWorker, type WorkerStats } from './worker/estimation-worker';
export { RecentSlots } from './worker/recent-slots';
export {
  SNAPSHOT_RECORD_KIND_HEADER,
  INGEST_INSTANCE_HEADER,
  SNAPSHOT_RECORD,
  CATALOG_RECORD,
  snapshotRecordKind,
  type SnapshotRecordKind,
} from './kafka/snapshot-records';
export { DEFAULT_WORKER_OPTIONS, validateWorkerOptions, type WorkerOptions } from './worker/worker-options';
export {
  ResultCollector,
  assembleSystemEstimate,
  type CollectorEvent,
  type CollectorCounters,
} from './results/result-collector';
export { DEFAULT_COLLECTOR_OPTIONS, type CollectorOptions } from './results/collector-options';
export type { SystemEstimate } from './results/system-estimate';
export {
  TruthTimeline,
  parseTruthLine,
  maxVoltageError,
  type TruthPoint,
  type VoltageError,
} from './results/truth';
export {
  ESTIMATORS_GROUP,
  RESULTS_GROUP,
  ESTIMATOR_SERVICE_GROUP,
  SNAPSHOT_MESSAGE,
  CATALOG_MESSAGE,
  AREA_RESULT_MESSAGE,
} from './wire/group-messages';

/**
 * The record format of Kafka `pmu.snapshots` in the binary layout: the same
 * bytes the `estimators` group carries, one record each. A header tells the
 * two kinds apart, so a consumer never has to guess from the bytes.
 */

/** Header naming what a record's value is. */
export const SNAPSHOT_RECORD_KIND_HEADER = 'gridcloud-record';
/** Header naming the ingest instance that published the record (its catalog versions are its own). */
export const INGEST_INSTANCE_HEADER = 'ingest-instance';

/** The value is `encodeSnapshot` bytes. */
export const SNAPSHOT_RECORD = 'snapshot';
/** The value is `encodeCatalog` bytes. */
export const CATALOG_RECORD = 'catalog';

export type SnapshotRecordKind = typeof SNAPSHOT_RECORD | typeof CATALOG_RECORD;

/** The kind a header value names, or undefined for anything else (a JSON-format record has no such header). */
export function snapshotRecordKind(header: Buffer | string | undefined): SnapshotRecordKind | undefined {
  const text = header === undefined ? undefined : String(header);
  return text === SNAPSHOT_RECORD || text === CATALOG_RECORD ? text : undefined;
}

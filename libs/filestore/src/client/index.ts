/** The file store over HTTP: the client, and the wire forms and time syntax it shares with apps/filestore. */
export { FileStoreClient, type FileStoreClientOptions } from './file-store-client';
export {
  FileStoreArchiver,
  utcHourOf,
  type FileStoreArchiverCounters,
  type FileStoreArchiverOptions,
} from './file-store-archiver';
export { AppendOutcomeUnknownError, FileStoreRequestError, FileStoreUnavailableError } from './errors';
export {
  checkRecordBatch,
  decodeRecordBatch,
  encodeRecordBatch,
  encodeStoredRecord,
  StoredRecordReader,
  NDJSON_CONTENT_TYPE,
  RECORD_BATCH_CONTENT_TYPE,
  STORED_RECORDS_CONTENT_TYPE,
} from './record-wire';
export { formatTimeNs, isoOfNs, parseClock, parseTimeNs, TIME_CLOCKS } from './time-param';

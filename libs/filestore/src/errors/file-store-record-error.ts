import { FileStoreError } from './file-store-error';

/** A record, batch or time the store refuses (malformed time, a record or batch over its bound); names the field. */
export class FileStoreRecordError extends FileStoreError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('bad-record', `${field}: ${reason}`);
  }
}

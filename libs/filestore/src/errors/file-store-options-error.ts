import { FileStoreError } from './file-store-error';

/** An option of FileStore.open that is missing or out of range; names the option. */
export class FileStoreOptionsError extends FileStoreError {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super('bad-option', `file store option ${option}: ${reason}`);
  }
}

import { FileStoreError } from './file-store-error';

/** The store was closed, or failed (a disk write error), and serves nothing more. */
export class FileStoreClosedError extends FileStoreError {
  constructor(reason: string) {
    super('closed', `the file store is not serving: ${reason}`);
  }
}

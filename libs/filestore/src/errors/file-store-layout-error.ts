import { FileStoreError } from './file-store-error';

/** A data directory holds logs in a layout this replica does not read; nothing in it was changed. */
export class FileStoreLayoutError extends FileStoreError {
  constructor(reason: string) {
    super('layout', `the data directory cannot be opened: ${reason}`);
  }
}

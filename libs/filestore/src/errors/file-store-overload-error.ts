import { FileStoreError } from './file-store-error';

/** More appends are waiting for their acknowledgements at this replica than `maxPendingAppends`: retry later. */
export class FileStoreOverloadError extends FileStoreError {
  constructor(readonly maxPendingAppends: number) {
    super(
      'overloaded',
      `${maxPendingAppends} appends are already waiting at this replica (maxPendingAppends): retry later`,
    );
  }
}

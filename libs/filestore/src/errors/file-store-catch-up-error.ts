import { FileStoreError } from './file-store-error';

/** A joining replica could not fetch the records it lacks from any live member; it leaves the group. */
export class FileStoreCatchUpError extends FileStoreError {
  constructor(reason: string) {
    super('catch-up-failed', `catching up with the group failed: ${reason}`);
  }
}

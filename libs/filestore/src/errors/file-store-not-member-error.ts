import { FileStoreError } from './file-store-error';

/** This replica is not (or no longer) a member of the store's group, so the append was not ordered: another replica
 *  may take it (a replica still joining, or one excluded and rejoining). */
export class FileStoreNotMemberError extends FileStoreError {
  constructor(group: string) {
    super(
      'not-member',
      `this replica is not a member of group "${group}" (joining or rejoining); try another`,
    );
  }
}

import { VsyncError } from '../../protocol';

/** Two Group objects on one process share a name; each group name is one membership, so reuse the existing object. */
export class DuplicateGroupError extends VsyncError {
  constructor(readonly group: string) {
    super(
      'DUPLICATE_GROUP',
      `a Group named '${group}' already exists on this process; reuse that object or close it first`,
    );
  }
}

import { VsyncError } from '../../errors/vsync-error';

/** Two logs order the same safe records differently: one of them is not a log this protocol wrote for the group. */
export class SafeLogConflictError extends VsyncError {
  constructor(detail: string) {
    super(
      'SAFE_LOG_CONFLICT',
      `SafeLogConflictError: ${detail}; a log was corrupted or belongs to another group: recover without it`,
    );
  }
}

import { VsyncError } from '../../protocol';

/** An append would take a group's safeSend log past its bound: this member accepts no more safe records of the group
 *  until it restarts (the others go on with their quorum). Checkpoint with Group.truncateSafeLog before the bound. */
export class SafeLogFullError extends VsyncError {
  constructor(path: string, maxBytes: number) {
    super(
      'SAFE_LOG_FULL',
      `SafeLogFullError: ${path} would pass maxSafeLogBytes (${maxBytes}); this member accepts no more safe records until it restarts: call truncateSafeLog() once the application's state covers what was delivered, before the bound, or raise maxSafeLogBytes`,
    );
  }
}

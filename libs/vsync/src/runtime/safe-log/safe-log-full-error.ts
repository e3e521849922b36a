import { VsyncError } from '../../protocol';

/** An append would take a group's safeSend log past its bound: this member accepts no more safe records until a
 *  checkpoint (Group.truncateSafeLog) makes room. */
export class SafeLogFullError extends VsyncError {
  constructor(path: string, maxBytes: number) {
    super(
      'SAFE_LOG_FULL',
      `SafeLogFullError: ${path} would pass maxSafeLogBytes (${maxBytes}); call truncateSafeLog() once the application's state covers what was delivered, or raise maxSafeLogBytes`,
    );
  }
}

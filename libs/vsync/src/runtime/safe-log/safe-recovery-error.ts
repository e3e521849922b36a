import { VsyncError } from '../../protocol';

/** The recovery of a group's safeSends from its members' logs could not complete; the message says why. */
export class SafeRecoveryError extends VsyncError {
  constructor(detail: string) {
    super('SAFE_RECOVERY', `SafeRecoveryError: ${detail}`);
  }
}

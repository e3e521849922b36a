import { VsyncError } from '../../protocol';

/** A GroupClient found no member of its group to call through, or every representative it tried failed. */
export class NoRepresentativeError extends VsyncError {
  constructor(group: string, detail: string) {
    super(
      'NO_REPRESENTATIVE',
      `NoRepresentativeError: cannot call group "${group}" through a member: ${detail}; check that the group has ` +
        'members (the system view lists them) and retry',
    );
  }
}

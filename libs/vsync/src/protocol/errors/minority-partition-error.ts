import { VsyncError } from './vsync-error';

/** This incarnation lost contact with a majority of the membership service (the oldest `membershipServiceSize`
 *  members of its view), so it is outside the primary partition and may not install views any more. */
export class MinorityPartitionError extends VsyncError {
  constructor(detail: string) {
    super(
      'MINORITY_PARTITION',
      `MinorityPartitionError: this process lost contact with a majority of the membership service (${detail}); ` +
        'it will rejoin as a new member (restart it with a higher incarnation)',
    );
  }
}

import { VsyncError } from '../../protocol';

/** The caller has more unresolved join/leave/send calls than maxPendingRequests allows. */
export class TooManyPendingRequestsError extends VsyncError {
  constructor(readonly maxPendingRequests: number) {
    super(
      'TOO_MANY_PENDING',
      `more than ${maxPendingRequests} requests are waiting; await the promises of send/orderedSend (they resolve when ` +
        'the send window has room) or raise maxPendingRequests',
    );
  }
}

import { VsyncError } from '../../protocol';

/** A state transfer or checkpoint could not be completed; the message says what went wrong and what happens next. */
export class StateTransferError extends VsyncError {
  constructor(detail: string) {
    super('STATE_TRANSFER', `StateTransferError: ${detail}`);
  }
}

/** A joiner received more than `maxBufferedBytes` of messages while loading the state: it leaves the group (the
 *  other members hold everything; no accepted message is lost) and its join() fails; join again to retry. */
export class StateBufferOverflowError extends VsyncError {
  constructor(
    readonly group: string,
    readonly maxBufferedBytes: number,
  ) {
    super(
      'STATE_BUFFER_OVERFLOW',
      `StateBufferOverflowError: group '${group}' delivered more than maxBufferedBytes (${maxBufferedBytes}) while this member was loading its state; it left the group: raise the bound or make loading faster, then join again`,
    );
  }
}

import { VsyncError } from '../../protocol';

/** A state transfer or checkpoint could not be completed; the message says what went wrong and what happens next. */
export class StateTransferError extends VsyncError {
  constructor(detail: string) {
    super('STATE_TRANSFER', `StateTransferError: ${detail}`);
  }
}

/** The load of a joiner's state was given up because this process rejoined as a new incarnation (after an exclusion):
 *  the new member loads the state again in its own view, so this one stays in the group. The abort reason of the
 *  abandoned loadCheckpoint call. */
export class StateTransferRestartedError extends StateTransferError {
  constructor(readonly group: string) {
    super(
      `group '${group}': this member rejoined as a new incarnation; it loads the state again in its new view`,
    );
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

import { VsyncError } from '../../protocol';

/** A message arrived for a handler id this member never registered; every member must register the same handlers before join(). */
export class UnknownHandlerError extends VsyncError {
  constructor(
    readonly group: string,
    readonly handlerId: number,
  ) {
    super(
      'UNKNOWN_HANDLER',
      `group '${group}' delivered a message for handler ${handlerId}, which is not registered here; call g.handle(${handlerId}, ...) on every member before join()`,
    );
  }
}

import { VsyncError } from '../../protocol';

/** An application handler threw while a message or view was delivered; delivery of later messages continues. */
export class HandlerError extends VsyncError {
  constructor(
    readonly group: string,
    readonly what: string,
    override readonly cause: unknown,
  ) {
    super(
      'HANDLER_THREW',
      `the ${what} handler of group '${group}' threw: ${cause instanceof Error ? cause.message : String(cause)}; fix the handler, delivery goes on`,
    );
  }
}

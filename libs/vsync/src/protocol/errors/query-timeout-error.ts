import { VsyncError } from './vsync-error';

/** A query with onTimeout 'abort' ran out of time; `silent` names the members that had not answered. */
export class QueryTimeoutError extends VsyncError {
  constructor(
    readonly group: string,
    readonly timeoutMs: number,
    readonly silent: readonly string[],
  ) {
    super(
      'QUERY_TIMEOUT',
      `QueryTimeoutError: no complete answer in group "${group}" within ${timeoutMs} ms` +
        (silent.length > 0
          ? ` (silent: ${silent.join(', ')})`
          : ' (the request was still waiting for the send window)') +
        "; raise timeoutMs, or pass onTimeout 'nullReply' to take what arrived or 'declareFailed' to have the silent members removed",
    );
  }
}

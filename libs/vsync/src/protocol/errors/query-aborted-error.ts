import { VsyncError } from './vsync-error';

/** A member answered a query with abortReply(reason): the whole query fails with that reason. */
export class QueryAbortedError extends VsyncError {
  constructor(
    readonly group: string,
    readonly member: string,
    readonly reason: string,
  ) {
    super('QUERY_ABORTED', `QueryAbortedError: ${member} aborted the query in group "${group}": ${reason}`);
  }
}

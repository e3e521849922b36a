import type { ProcessId } from '../process-id';
import type { Ordering } from '../wire-message';

/** How many answers a query waits for: a count, every member asked ('all') or a majority of them. */
export type QueryWant = number | 'all' | 'majority';

/** What a query does when its time runs out: fail ('abort'), return what arrived ('nullReply'), or report the silent
 *  members to the membership service and complete once the view change removed them ('declareFailed'). */
export type TimeoutAction = 'abort' | 'nullReply' | 'declareFailed';

export const TIMEOUT_ACTIONS: readonly TimeoutAction[] = ['abort', 'nullReply', 'declareFailed'];

/** Who is asked: every member of the group, through a multicast in the given ordering, or one member point to point. */
export type QueryTarget = { readonly ordering: Ordering } | { readonly to: ProcessId };

/** One counted answer. A null reply counts towards completion but carries no value. */
export interface QueryReply {
  readonly from: ProcessId;
  readonly outcome: 'value' | 'null';
  readonly payload: Uint8Array;
}

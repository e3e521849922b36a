export { PendingQueries, targetOf, type QueryEnd, type NewQuery } from './pending-queries';
export { OwedReplies } from './owed-replies';
export { checkQueryShape } from './check-query';
export {
  TIMEOUT_ACTIONS,
  type QueryWant,
  type TimeoutAction,
  type QueryTarget,
  type QueryReply,
} from './query-types';

import { RequestError } from '../errors/request-error';
import { TIMEOUT_ACTIONS, type QueryWant, type TimeoutAction } from './query-types';

/** What a query input must satisfy before it is taken; returns the typed error naming the bad field, or null. */
export function checkQueryShape(
  want: QueryWant,
  timeoutMs: number,
  onTimeout: TimeoutAction,
  maxQueryTimeoutMs: number,
): RequestError | null {
  const count = typeof want === 'number';
  if (count ? !Number.isInteger(want) || want < 1 : want !== 'all' && want !== 'majority')
    return new RequestError(`want must be a positive integer, ALL or MAJORITY, got ${String(want)}`);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > maxQueryTimeoutMs)
    return new RequestError(
      `timeoutMs must be an integer in 1..${maxQueryTimeoutMs}, got ${String(timeoutMs)}`,
    );
  if (!TIMEOUT_ACTIONS.includes(onTimeout))
    return new RequestError(
      `onTimeout must be one of ${TIMEOUT_ACTIONS.join('|')}, got ${String(onTimeout)}`,
    );
  return null;
}

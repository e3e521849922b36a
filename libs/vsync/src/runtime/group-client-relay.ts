import type { Delivery } from './group-endpoint';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { DEFAULT_RELAY_BOUNDS, type RelayBounds, RelayLog } from './group-client-relay-log';
import { parsePollRequest, type PollAnswer, type PollRequest } from './group-client-relay-wire';

/** The handler id of the group's marker "a member serves subscribers: log for them" (no arguments). */
export const RELAY_LOG_HANDLER_ID = 0xffff_fffb;

const NOTHING_NEW: PollAnswer = { kind: 'entries', entries: [] };

interface Waiter {
  readonly request: PollRequest;
  readonly resolve: (answer: PollAnswer) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A member's relay to the GroupClients subscribed through it: the RelayLog (all decisions) plus the long polls that
 * wait for the next delivery. A poll is answered as soon as there is something new for its subscriber, or empty
 * after its waitMs (at most half of subscriberIdleMs, so a waiting subscriber never looks idle).
 *
 * The log starts holding deliveries at this member's first subscriber; `announce` then asks the group to log too
 * (the Group multicasts its marker, and every member that delivers it calls startLogging), so the members a
 * subscriber may fail over to hold what it has not acknowledged. A member serving subscribers announces again at
 * every view, for the members that joined since.
 */
export class SubscriberRelay {
  private readonly log: RelayLog;
  private readonly waiters = new Map<string, Waiter>();
  private readonly maxWaitMs: number;

  constructor(
    bounds: RelayBounds,
    private readonly announce: () => void,
  ) {
    this.log = new RelayLog(bounds);
    this.maxWaitMs = Math.floor(bounds.subscriberIdleMs / 2);
  }

  /** What was relayed, the subscribers served now, and whether this member logs for subscribers yet. */
  get stats(): RelayLog['stats'] & { subscribers: number; logging: boolean } {
    return { ...this.log.stats, subscribers: this.log.subscriberCount, logging: this.log.isLogging };
  }

  deliver(delivery: Delivery): void {
    this.log.deliver(delivery);
    this.wake();
  }

  installView(viewId: number): void {
    this.log.installView(viewId);
    if (this.log.subscriberCount > 0) this.announce();
    this.wake();
  }

  /** The group's marker was delivered here: a member serves subscribers, so this one logs for them too. */
  startLogging(): void {
    this.log.startLogging();
  }

  /** One poll as a client sent it: answered now, or once something new arrives, or empty after its waitMs. */
  poll(value: unknown): Promise<PollAnswer> {
    const request = parsePollRequest(value);
    if (typeof request === 'string')
      return Promise.reject(new VsyncOptionsError('GroupClient poll', request));
    // The client gave up on an earlier poll of this subscriber (it timed out there): that one ends empty.
    this.settle(request.subscriber, NOTHING_NEW);
    const wasLogging = this.log.isLogging;
    const answer = this.log.poll(request, Date.now());
    if (!wasLogging && this.log.isLogging) this.announce();
    if (answer !== 'wait') return Promise.resolve(answer);
    const waitMs = Math.min(request.waitMs, this.maxWaitMs);
    if (waitMs === 0) return Promise.resolve(NOTHING_NEW);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(request.subscriber, NOTHING_NEW), waitMs);
      this.waiters.set(request.subscriber, { request, resolve, timer });
    });
  }

  /** Answers every waiting poll empty: the member is leaving the group. */
  close(): void {
    for (const id of [...this.waiters.keys()]) this.settle(id, NOTHING_NEW);
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const nowMs = Date.now();
    for (const [id, waiter] of [...this.waiters]) {
      const answer = this.log.poll(waiter.request, nowMs);
      if (answer !== 'wait') this.settle(id, answer);
    }
  }

  private settle(subscriber: string, answer: PollAnswer): void {
    const waiter = this.waiters.get(subscriber);
    if (waiter === undefined) return;
    this.waiters.delete(subscriber);
    clearTimeout(waiter.timer);
    waiter.resolve(answer);
  }
}

/** The relay bounds of a group: the defaults, the given ones checked, the poll batch kept inside one payload. */
export function resolveRelayBounds(given: Partial<RelayBounds> = {}, maxPayloadBytes: number): RelayBounds {
  const bounds = { ...DEFAULT_RELAY_BOUNDS, ...given };
  for (const [name, value] of Object.entries(bounds))
    if (!Number.isInteger(value) || (value as number) < 1)
      throw new VsyncOptionsError(`relay.${name}`, `must be a positive integer, got ${String(value)}`);
  if (bounds.maxRelayLogBytes < bounds.maxSubscriberQueueBytes)
    throw new VsyncOptionsError(
      'relay.maxRelayLogBytes',
      `${bounds.maxRelayLogBytes} is below relay.maxSubscriberQueueBytes (${bounds.maxSubscriberQueueBytes}): a subscriber's queue lives in the log`,
    );
  // Half the payload room: the rest carries the entries' names and the answer's framing.
  return {
    ...bounds,
    maxPollBatchBytes: Math.min(bounds.maxPollBatchBytes, Math.floor(maxPayloadBytes / 2)),
  };
}

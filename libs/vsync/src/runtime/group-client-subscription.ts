import { randomUUID } from 'node:crypto';
import { processKey, type DeliveryOrdering, type ProcessId } from '../protocol';
import { UndecodablePayloadError } from './errors/undecodable-payload-error';
import { SubscriptionCursor, type SubscriptionGap } from './group-client-cursor';
import { RELAY_LOG_HANDLER_ID } from './group-client-relay';
import type { CursorState, PollAnswer, RelayedMessage } from './group-client-relay-wire';
import { CLIENT_SEQUENCED_HANDLER_ID, ClientSequences } from './group-client-sequences';
import { decodeGroupCall } from './group-payload';
import { SAFE_RECOVERY_HANDLER_ID } from './safe-log/safe-recovery';
import { STATE_CONTROL_HANDLER_ID } from './state-transfer/group-state-transfer';

/** One message of the group, as a subscriber receives it through its representative. */
export interface SubscribedMessage {
  readonly handlerId: number;
  readonly args: unknown[];
  readonly sender: ProcessId;
  readonly viewId: number;
  readonly ordering: DeliveryOrdering;
}

export interface SubscribeOptions {
  /** How long the representative holds a poll when there is nothing new (default 1,000). */
  readonly pollWaitMs?: number;
  /** Messages the subscriber missed (see SubscriptionGap); counted in stats either way. */
  readonly onGap?: (gap: SubscriptionGap) => void;
  /** The representative ended the subscription (it fell behind); the subscription is closed. */
  readonly onDropped?: (reason: string) => void;
  /** A representative that failed a poll, a handler that threw, a payload that did not decode. */
  readonly onError?: (error: Error) => void;
}

/** What a subscription needs of its GroupClient: a representative, and one poll through it. */
export interface SubscriptionRoute {
  readonly group: string;
  members(): readonly ProcessId[];
  choose(tried: ReadonlySet<string>): Promise<ProcessId>;
  /** The representative's answer, or undefined when the representative failed (the subscription fails over). */
  poll(rep: ProcessId, request: unknown, timeoutMs: number): Promise<PollAnswer | undefined>;
  dropRepresentative(rep: ProcessId): void;
}

/** Handler ids the group's own machinery multicasts: relayed like any delivery, never handed to the subscriber. */
const INTERNAL_HANDLER_IDS = new Set([
  STATE_CONTROL_HANDLER_ID,
  SAFE_RECOVERY_HANDLER_ID,
  RELAY_LOG_HANDLER_ID,
]);
/** The pause before trying every member again once each one failed in turn. */
const RETRY_PAUSE_MS = 200;

/**
 * A GroupClient's subscription to a group's deliveries: it polls one representative at a time (long polls), which
 * answers with what it delivered since the subscription's cursor. When the representative fails, the next member
 * resumes from the same cursor out of its own relay log: doubles are dropped and what could not be filled is reported
 * as gaps, exact where the representative can say (see SubscriptionCursor). Lossless only while a surviving member's
 * relay log still holds what the subscriber had not acknowledged; never silent otherwise.
 */
export class Subscription {
  readonly stats = { delivered: 0, doubles: 0, missed: 0, unknownGaps: 0, failovers: 0, errors: 0 };
  readonly subscriber: string;
  private readonly cursor = new SubscriptionCursor();
  private readonly sequences = new ClientSequences();
  private readonly pollWaitMs: number;
  private closing = false;
  private dropReason: string | undefined;
  private readonly running: Promise<void>;

  constructor(
    private readonly route: SubscriptionRoute,
    private readonly handler: (message: SubscribedMessage) => void,
    private readonly options: SubscribeOptions,
    private readonly failoverMarginMs: number,
  ) {
    this.pollWaitMs = options.pollWaitMs ?? 1_000;
    this.subscriber = randomUUID();
    this.running = this.run();
  }

  /** The position a new representative would resume from (null before the first answer). */
  get position(): CursorState | null {
    return this.cursor.state();
  }

  /** Why the representative ended the subscription, once it did. */
  get dropped(): string | undefined {
    return this.dropReason;
  }

  /** Stops polling; resolves once the poll in flight ended. Its representative forgets it after subscriberIdleMs. */
  async close(): Promise<void> {
    this.closing = true;
    await this.running;
  }

  private async run(): Promise<void> {
    const tried = new Set<string>();
    while (!this.closing) {
      if (this.route.members().length > 0 && this.route.members().every((m) => tried.has(processKey(m)))) {
        tried.clear();
        await pause(RETRY_PAUSE_MS);
      }
      const answer = await this.pollOnce(tried);
      if (answer !== undefined) this.apply(answer);
    }
  }

  /** One poll through the current representative; on its failure, the next poll goes to another member. */
  private async pollOnce(tried: Set<string>): Promise<PollAnswer | undefined> {
    let rep: ProcessId | undefined;
    try {
      rep = await this.route.choose(tried);
      const request = { subscriber: this.subscriber, cursor: this.cursor.state(), waitMs: this.pollWaitMs };
      const answer = await this.route.poll(rep, request, this.pollWaitMs + this.failoverMarginMs);
      if (answer !== undefined && answer.kind !== 'refused') {
        tried.clear();
        return answer;
      }
      if (answer?.kind === 'refused') this.report(new Error(`${processKey(rep)} refused: ${answer.reason}`));
    } catch (error) {
      this.report(error as Error);
      if (rep === undefined) tried.clear();
      await pause(RETRY_PAUSE_MS);
    }
    if (rep !== undefined) this.failOver(rep, tried);
    return undefined;
  }

  private failOver(rep: ProcessId, tried: Set<string>): void {
    this.stats.failovers += 1;
    tried.add(processKey(rep));
    this.route.dropRepresentative(rep);
  }

  private apply(answer: PollAnswer): void {
    if (answer.kind === 'dropped') {
      this.dropReason = answer.reason;
      this.closing = true;
      return this.options.onDropped?.(answer.reason);
    }
    if (answer.kind !== 'entries') return;
    if (answer.start !== undefined && !this.cursor.isStarted) this.cursor.start(answer.start);
    for (const entry of answer.entries) {
      if (entry.kind === 'viewEnd') {
        this.gaps(this.cursor.viewEnd(entry));
        continue;
      }
      const step = this.cursor.message(entry);
      this.gaps(step.gaps);
      if (step.fresh) this.dispatch(entry);
      else if (step.gaps.length === 0) this.stats.doubles += 1;
    }
  }

  private dispatch(entry: RelayedMessage): void {
    let call: { handlerId: number; args: unknown[] } | undefined;
    try {
      call = decodeGroupCall(entry.payload!);
      if (call.handlerId === CLIENT_SEQUENCED_HANDLER_ID) call = this.sequences.accept(call.args);
    } catch (error) {
      return this.report(new UndecodablePayloadError(this.route.group, (error as Error).message));
    }
    if (call === undefined) {
      this.stats.doubles += 1;
      return;
    }
    if (INTERNAL_HANDLER_IDS.has(call.handlerId)) return;
    this.stats.delivered += 1;
    const { sender, viewId, ordering } = entry;
    try {
      this.handler({ handlerId: call.handlerId, args: call.args, sender, viewId, ordering });
    } catch (error) {
      this.report(error as Error);
    }
  }

  private gaps(gaps: readonly SubscriptionGap[]): void {
    for (const gap of gaps) {
      if (gap.count === undefined) this.stats.unknownGaps += 1;
      else this.stats.missed += gap.count;
      this.options.onGap?.(gap);
    }
  }

  private report(error: Error): void {
    this.stats.errors += 1;
    this.options.onError?.(error);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { Inject, Injectable } from '@nestjs/common';
import type { QueryWant } from '@gridcloud/vsync';
import { messageHandlerId } from './message-id';
import { VsyncGroups } from './vsync-groups';
import { VsyncPatternError } from './errors/vsync-pattern-error';

/**
 * Multicasts by message name, so apps that only publish never compute handler ids: `send('estimators', 'snapshot',
 * s)` reaches the `@EventPattern('estimators/snapshot')` handlers of the group's members. Both resolve when the
 * message entered the group's send window, as Group.send does. The process must be a member of the group. A bad
 * group or message name rejects; the call is issued synchronously, so sends of one event-loop turn still travel
 * together.
 */
@Injectable()
export class GroupPublisher {
  constructor(@Inject(VsyncGroups) private readonly groups: VsyncGroups) {}

  /** FIFO per sender. */
  async send(group: string, message: string, ...args: unknown[]): Promise<void> {
    return this.groups.get(group).send(idOf(message), ...args);
  }

  /** One total order across all senders of the group. */
  async orderedSend(group: string, message: string, ...args: unknown[]): Promise<void> {
    return this.groups.get(group).orderedSend(idOf(message), ...args);
  }

  /** Asks every member's `@MessagePattern('group/message')` handler: `query(group, message, want, ...args,
   *  { timeoutMs, onTimeout })`, resolving with their return values (see Group.query). */
  async query<T = unknown>(
    group: string,
    message: string,
    want: QueryWant,
    ...args: unknown[]
  ): Promise<T[]> {
    return this.groups.get(group).query<T>(want, idOf(message), ...args);
  }

  /** A query delivered in the group's total order (the order of orderedSend). */
  async orderedQuery<T = unknown>(
    group: string,
    message: string,
    want: QueryWant,
    ...args: unknown[]
  ): Promise<T[]> {
    return this.groups.get(group).orderedQuery<T>(want, idOf(message), ...args);
  }
}

export function idOf(message: string): number {
  if (typeof message !== 'string' || message.length === 0)
    throw new VsyncPatternError(`a message name must be a non-empty string, got ${JSON.stringify(message)}`);
  return messageHandlerId(message);
}

import { assert } from '../errors/invariant-error';
import type { ProcessId } from '../process-id';
import type { DataRecord, WireBody } from '../wire-message';
import { type SafeEffects, SafeGroup } from './safe-group';

/** What the process core supplies: the safe groups' effects plus the persist output of logged mode. */
export interface SafeSendsEffects extends SafeEffects {
  persist(group: string, token: number, records: readonly DataRecord[]): void;
}

export interface SafeSendsConfig {
  readonly safeSendAcceptors: number;
  readonly safeSendLogged: boolean;
}

interface Persisting {
  readonly token: number;
  readonly group: string;
  readonly records: readonly DataRecord[];
  done: boolean;
}

/** Most persist outputs awaiting their `persisted` input at once; one more is a runtime that stopped answering. */
export const MAX_PERSISTS_IN_FLIGHT = 65_536;

/**
 * The safeSend side of one process core: a SafeGroup per group this member is in, and the persist tokens of logged
 * mode. At the end of every step the records ordered during it leave as one persist output per group (one fsync
 * covers them all), or, in memory, are accepted at once; then every group hands over what its quorum holds.
 */
export class SafeSends {
  private readonly groups = new Map<string, SafeGroup>();
  private readonly persisting: Persisting[] = [];
  private nextToken = 1;

  constructor(
    private readonly self: ProcessId,
    private readonly config: SafeSendsConfig,
    private readonly effects: SafeSendsEffects,
  ) {}

  /** This member entered a new epoch of `group`. */
  opened(group: string, epoch: number, members: readonly ProcessId[], groupViewId: number): void {
    let safe = this.groups.get(group);
    if (safe === undefined) {
      safe = new SafeGroup(group, this.self, this.config.safeSendAcceptors, this.effects);
      this.groups.set(group, safe);
    }
    safe.epochOpened(epoch, members, groupViewId);
  }

  /** Forgets the groups this member is no longer in: what waited there is not delivered here. */
  retain(groups: ReadonlySet<string>): void {
    for (const name of this.groups.keys()) if (!groups.has(name)) this.groups.delete(name);
  }

  ordered(record: DataRecord): void {
    this.groups.get(record.group)?.ordered(record);
  }

  receiveAccept(from: ProcessId, body: Extract<WireBody, { kind: 'safeAccept' }>): void {
    this.groups.get(body.group)?.receiveAccept(from, body.epoch, body.through);
  }

  /** Safe records of `group` ordered here and not yet delivered. */
  waiting(group: string): number {
    return this.groups.get(group)?.waitingCount ?? 0;
  }

  /** A persist completed; tokens complete in order, so a later one never counts before an earlier one. */
  persisted(token: number): void {
    const entry = this.persisting.find((p) => p.token === token);
    if (entry === undefined) return;
    entry.done = true;
    while (this.persisting.length > 0 && this.persisting[0].done) {
      const first = this.persisting.shift()!;
      this.groups.get(first.group)?.logged(first.records);
    }
  }

  /** End of a step: log (or accept) what was ordered, then deliver what is ready. */
  settle(): void {
    for (const [name, safe] of this.groups) {
      const records = safe.takeToLog();
      if (records.length === 0) continue;
      if (!this.config.safeSendLogged) {
        safe.logged(records);
        continue;
      }
      assert(this.persisting.length < MAX_PERSISTS_IN_FLIGHT, 'the log stopped answering persist outputs');
      const token = this.nextToken++;
      this.persisting.push({ token, group: name, records, done: false });
      this.effects.persist(name, token, records);
    }
    for (const safe of this.groups.values()) safe.deliverReady();
  }
}

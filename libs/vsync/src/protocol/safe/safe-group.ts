import { assert } from '../errors/invariant-error';
import { type ProcessId, sameProcess } from '../process-id';
import { isPlanted } from '../testing/planted-bugs';
import type { DataRecord, WireBody } from '../wire-message';
import { EpochVotes } from './epoch-votes';

/** How a safe group acts on the world; supplied by the process core. */
export interface SafeEffects {
  /** Reliable send to another member of the record's epoch (the core skips processes no longer in the system). */
  send(to: ProcessId, body: WireBody): void;
  /** Hands a safe record to the application: its quorum logged it, and every earlier one was handed over. */
  deliver(record: DataRecord, groupViewId: number): void;
}

/** Acceptors a safe record needs among `eligible` members: `configured` (0 = a majority), never more than exist. */
export function safeQuorum(eligible: number, configured: number): number {
  assert(eligible >= 1, 'a safe record is counted only while one of its epoch members remains');
  if (isPlanted('safeDeliverBeforeQuorum')) return 1;
  return configured > 0 ? Math.min(configured, eligible) : Math.floor(eligible / 2) + 1;
}

/**
 * SafeSend at one member for one group (the pure rule; see protocol/README.md, "SafeSend").
 *
 * The total order of the group's epochs (GroupEpoch, with its flush) fixes where each safe record goes; this class
 * adds durability on top. Each record reaching its place in the order is handed to the log (`takeToLog`; the core
 * emits a persist effect), and once the log holds it this member tells the other members of the record's epoch
 * (safeAccept, a cumulative vector per sender). A record is handed to the application once this member's own log
 * holds it and a quorum of acceptors does, counted among the members of the epoch it was sent in: the quorum is a
 * majority (or `safeSendAcceptors`) of the epoch's members still in the group, since a view change (the ballot) has
 * removed the others and the flush gave every survivor the record. Records leave in order: one waiting for its
 * quorum holds back every later one.
 */
export class SafeGroup {
  /** Records in their total order, not yet handed to the application. */
  private readonly waiting: DataRecord[] = [];
  /** Records ordered since the last takeToLog. */
  private toLog: DataRecord[] = [];
  private readonly votes = new Map<number, EpochVotes>();
  private current: readonly ProcessId[] = [];
  private currentViewId = 0;

  constructor(
    readonly group: string,
    private readonly self: ProcessId,
    private readonly configuredAcceptors: number,
    private readonly effects: SafeEffects,
  ) {}

  /** Records ordered and not yet delivered: the bound on own safeSends entering the window counts these. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** This member entered epoch `epoch` of the group with these members (its group view `groupViewId`). */
  epochOpened(epoch: number, members: readonly ProcessId[], groupViewId: number): void {
    assert(
      members.some((m) => sameProcess(m, this.self)),
      `safe group ${this.group} opened without this member`,
    );
    this.current = members;
    this.currentViewId = groupViewId;
    if (!this.votes.has(epoch)) this.votes.set(epoch, new EpochVotes(epoch, members));
    this.retainVotes(epoch);
  }

  /** The total order reached this safe record (in its epoch, or in the flush that closed it). */
  ordered(record: DataRecord): void {
    assert(record.ordering === 'safe', 'only safe records enter the safe group');
    assert(this.votes.has(record.epoch), `safe record of unknown epoch ${record.epoch} in ${this.group}`);
    this.waiting.push(record);
    this.toLog.push(record);
  }

  /** Records to append to the log (in order) since the last call. */
  takeToLog(): DataRecord[] {
    const batch = this.toLog;
    this.toLog = [];
    return batch;
  }

  /** The log now holds these records (a batch from takeToLog, persisted in order): accept them and say so. */
  logged(records: readonly DataRecord[]): void {
    const touched = new Set<number>();
    for (const r of records) {
      const votes = this.votes.get(r.epoch);
      if (votes === undefined) continue; // delivered and forgotten meanwhile: nobody waits for this acceptance
      const mine = votes.vectorOf(this.self);
      mine[votes.rankOf(r.sender)] = Math.max(mine[votes.rankOf(r.sender)], r.seq);
      votes.record(this.self, mine);
      touched.add(r.epoch);
    }
    for (const epoch of touched) this.announce(this.votes.get(epoch)!);
  }

  /** Another member's acceptances for one epoch. */
  receiveAccept(from: ProcessId, epoch: number, through: readonly number[]): void {
    this.votes.get(epoch)?.record(from, through);
  }

  /** Re-sends this member's acceptances of every epoch with records still waiting (a periodic safety net). */
  reannounce(): void {
    const epochs = new Set(this.waiting.map((r) => r.epoch));
    for (const epoch of epochs) this.announce(this.votes.get(epoch)!);
  }

  /** Hands over every record, in order, whose quorum holds it. */
  deliverReady(): void {
    let done = 0;
    while (done < this.waiting.length && this.isAccepted(this.waiting[done])) {
      this.effects.deliver(this.waiting[done], this.currentViewId);
      done++;
    }
    if (done === 0) return;
    this.waiting.splice(0, done);
    this.retainVotes(this.votes.size > 0 ? Math.max(...this.votes.keys()) : 0);
  }

  private isAccepted(r: DataRecord): boolean {
    const votes = this.votes.get(r.epoch)!;
    const acceptors = votes.acceptorsOf(r.sender, r.seq);
    if (!acceptors.some((a) => sameProcess(a, this.self))) return false;
    const eligible = votes.members.filter((m) => this.current.some((c) => sameProcess(c, m))).length;
    return acceptors.length >= safeQuorum(eligible, this.configuredAcceptors);
  }

  private announce(votes: EpochVotes): void {
    const body: WireBody = {
      kind: 'safeAccept',
      group: this.group,
      epoch: votes.epoch,
      through: votes.vectorOf(this.self),
    };
    for (const m of votes.members) if (!sameProcess(m, this.self)) this.effects.send(m, body);
  }

  /** Keeps the votes of epochs that still have waiting records, and of the newest epoch. */
  private retainVotes(newest: number): void {
    const needed = new Set(this.waiting.map((r) => r.epoch));
    for (const epoch of this.votes.keys())
      if (epoch !== newest && !needed.has(epoch)) this.votes.delete(epoch);
  }
}

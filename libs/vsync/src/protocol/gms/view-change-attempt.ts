import { assert } from '../errors/invariant-error';
import { type ProcessId, processKey } from '../process-id';
import type { AcceptedValue, Ballot, DataRecord, ViewValue } from '../wire-message';
import { compareBallot, majorityOf } from './ballot';

export interface FlushAnswer {
  readonly from: ProcessId;
  readonly accepted: AcceptedValue | null;
  readonly records: readonly DataRecord[];
}

/** The leader's side of one view change for one ballot: first the flush (which is also the takeover inquiry: "did a
 *  previous leader get a proposal accepted?"), then the proposal, committed once a majority of the current view
 *  accepted it. */
export class ViewChangeAttempt {
  readonly answers = new Map<string, FlushAnswer>();
  private readonly accepts = new Set<string>();
  phase: 'flush' | 'propose' = 'flush';
  value: ViewValue | null = null;

  constructor(
    readonly ballot: Ballot,
    readonly current: ViewValue,
    readonly startedMs: number,
  ) {}

  get majority(): number {
    return majorityOf(this.current.members.length);
  }

  recordAnswer(answer: FlushAnswer): void {
    if (this.phase === 'flush' && this.isMember(answer.from))
      this.answers.set(processKey(answer.from), answer);
  }

  /** Ready to propose when every member we still trust answered, or the deadline passed; a majority is mandatory. */
  readyToPropose(trusted: (p: ProcessId) => boolean, nowMs: number, timeoutMs: number): boolean {
    if (this.phase !== 'flush' || this.answers.size < this.majority) return false;
    const waiting = this.current.members.some((m) => trusted(m) && !this.answers.has(processKey(m)));
    return !waiting || nowMs - this.startedMs >= timeoutMs;
  }

  /** Paxos rule: if any answer carries an accepted value, the one with the highest ballot must be proposed again. */
  previouslyAccepted(): ViewValue | null {
    let best: AcceptedValue | null = null;
    for (const a of this.answers.values()) {
      if (a.accepted && (!best || compareBallot(a.accepted.ballot, best.ballot) > 0)) best = a.accepted;
    }
    return best ? best.value : null;
  }

  startProposal(value: ViewValue): void {
    assert(this.phase === 'flush', 'a ballot proposes at most once');
    assert(value.id === this.current.id + 1, `proposal ${value.id} does not follow view ${this.current.id}`);
    this.phase = 'propose';
    this.value = value;
  }

  /** Returns true once a majority of the current view accepted: the value is decided. */
  recordAccept(from: ProcessId): boolean {
    if (this.phase === 'propose' && this.isMember(from)) this.accepts.add(processKey(from));
    return this.accepts.size >= this.majority;
  }

  private isMember(p: ProcessId): boolean {
    return this.current.members.some((m) => processKey(m) === processKey(p));
  }
}

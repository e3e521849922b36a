import { assert } from '../errors/invariant-error';
import { type ProcessId, processKey } from '../process-id';
import type { AcceptedValue, Ballot, DataRecord, ViewValue } from '../wire-message';
import { compareBallot } from './ballot';
import { isPlanted } from '../testing/planted-bugs';
import { membershipService, serviceQuorum } from './membership-service';

export interface FlushAnswer {
  readonly from: ProcessId;
  readonly accepted: AcceptedValue | null;
  readonly records: readonly DataRecord[];
}

/** The leader's side of one view change for one ballot: first the flush (which is also the takeover inquiry: "did a
 *  previous leader get a proposal accepted?"), then the proposal, committed once a majority of the current view's
 *  membership service accepted it. Every member of the current view is flushed and sent the proposal; only the
 *  service members' votes are counted, the others are learners. */
export class ViewChangeAttempt {
  readonly answers = new Map<string, FlushAnswer>();
  private readonly accepts = new Set<string>();
  /** Keys of the current view's membership service: the acceptors of this consensus instance. */
  private readonly service: ReadonlySet<string>;
  /** Service members whose votes decide: a majority of the service. */
  readonly quorum: number;
  phase: 'flush' | 'propose' = 'flush';
  value: ViewValue | null = null;

  constructor(
    readonly ballot: Ballot,
    readonly current: ViewValue,
    readonly startedMs: number,
  ) {
    this.service = new Set(membershipService(current.members, current.serviceSize).map(processKey));
    this.quorum = serviceQuorum(current.members, current.serviceSize);
    assert(this.quorum <= this.service.size, 'a quorum of the membership service fits in the service');
  }

  recordAnswer(answer: FlushAnswer): void {
    if (this.phase === 'flush' && this.isMember(answer.from))
      this.answers.set(processKey(answer.from), answer);
  }

  /** Ready to propose when answers from a majority of the membership service came and no member we still trust is
   *  missing. The new view's surviving old members are the answerers, so a member is dropped only once it is
   *  suspected, never for being slow: a leader that dropped a live member on a deadline and then died could leave a
   *  decided view of dead processes and too few live ones to decide again. A trusted member that never answers (it
   *  cannot hear this leader) suspects the leader and says so, which ends this attempt through a higher ballot. */
  readyToPropose(trusted: (p: ProcessId) => boolean): boolean {
    if (this.phase !== 'flush' || this.serviceAnswers() < this.quorum) return false;
    return !this.current.members.some((m) => trusted(m) && !this.answers.has(processKey(m)));
  }

  /** Paxos rule: if any answer carries an accepted value, the one with the highest ballot must be proposed again.
   *
   *  Answers from learners (members outside the membership service) are searched too, which keeps Paxos safe: a value
   *  a learner reports was accepted from a real proposal of some ballot below ours, exactly like an acceptor's. If a
   *  value V was decided at ballot b, our answers include a service majority, which shares a member with the majority
   *  that accepted V at b; that member reports a ballot >= b, so the highest reported ballot is >= b, and every proposal
   *  of a ballot from b up to ours carried V (by induction over ballots). Taking the highest ballot over a superset of a
   *  quorum therefore still yields V. */
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

  /** Returns true once a majority of the current view's membership service accepted: the value is decided. A learner's
   *  acceptance is not a vote. */
  recordAccept(from: ProcessId): boolean {
    if (this.phase === 'propose' && this.service.has(processKey(from))) this.accepts.add(processKey(from));
    if (isPlanted('commitOnOwnAccept') && this.accepts.size > 0) return true;
    return this.accepts.size >= this.quorum;
  }

  private serviceAnswers(): number {
    let count = 0;
    for (const key of this.answers.keys()) if (this.service.has(key)) count++;
    return count;
  }

  private isMember(p: ProcessId): boolean {
    return this.current.members.some((m) => processKey(m) === processKey(p));
  }
}

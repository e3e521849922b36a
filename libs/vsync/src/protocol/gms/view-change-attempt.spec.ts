import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../process-id';
import type { AcceptedValue, ViewValue } from '../wire-message';
import { ViewChangeAttempt } from './view-change-attempt';

const p = (address: string): ProcessId => ({ address, incarnation: 1 });
const FIVE = ['a', 'b', 'c', 'd', 'e'].map(p);
const view = (id: number, members: ProcessId[], serviceSize = 3): ViewValue => ({
  id,
  members,
  groups: [],
  joined: [],
  left: [],
  failed: [],
  flush: [],
  serviceSize,
});

/** A view change in a five-member view whose membership service is its three oldest members, a, b and c. */
function attemptOfFive(): ViewChangeAttempt {
  return new ViewChangeAttempt({ round: 1, leader: p('a') }, view(7, FIVE), 0);
}

function answer(attempt: ViewChangeAttempt, name: string, accepted: AcceptedValue | null = null): void {
  attempt.recordAnswer({ from: p(name), accepted, records: [] });
}

describe('ViewChangeAttempt quorums count only the membership service', () => {
  it('may not propose on flush answers from a majority of the view that is not a majority of the service', () => {
    const attempt = attemptOfFive();
    for (const name of ['a', 'd', 'e']) answer(attempt, name);
    // Three of five members answered and b and c are suspected, but only one of the three service members answered.
    const trusted = (m: ProcessId): boolean => !['b', 'c'].includes(m.address);
    expect(attempt.readyToPropose(trusted)).toBe(false);
    answer(attempt, 'b');
    expect(attempt.readyToPropose(trusted)).toBe(true);
  });

  it('waits for every trusted member, learners included, however long it takes: only suspicion drops a member', () => {
    const attempt = attemptOfFive();
    for (const name of ['a', 'b', 'c', 'd']) answer(attempt, name);
    expect(attempt.readyToPropose(() => true)).toBe(false);
    expect(attempt.readyToPropose((m) => m.address !== 'e')).toBe(true);
    answer(attempt, 'e');
    expect(attempt.readyToPropose(() => true)).toBe(true);
  });

  it('is decided by a majority of the service; learners accepting do not decide', () => {
    const attempt = attemptOfFive();
    for (const name of ['a', 'b', 'c', 'd', 'e']) answer(attempt, name);
    attempt.startProposal(view(8, FIVE));
    expect(attempt.recordAccept(p('d'))).toBe(false);
    expect(attempt.recordAccept(p('e'))).toBe(false);
    expect(attempt.recordAccept(p('a'))).toBe(false);
    expect(attempt.recordAccept(p('c'))).toBe(true);
  });

  it('re-proposes the highest-ballot accepted value, even when a learner reported it', () => {
    const attempt = attemptOfFive();
    const older: AcceptedValue = { ballot: { round: 1, leader: p('b') }, value: view(8, FIVE.slice(0, 4)) };
    const newer: AcceptedValue = { ballot: { round: 2, leader: p('a') }, value: view(8, FIVE.slice(0, 3)) };
    answer(attempt, 'b', older);
    answer(attempt, 'c');
    answer(attempt, 'e', newer);
    expect(attempt.previouslyAccepted()).toBe(newer.value);
  });

  it('ignores answers and accepts from processes outside the current view', () => {
    const attempt = attemptOfFive();
    answer(attempt, 'a');
    answer(attempt, 'z');
    expect(attempt.answers.size).toBe(1);
  });
});

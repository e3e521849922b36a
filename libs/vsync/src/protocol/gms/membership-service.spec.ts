import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../process-id';
import { membershipService, serviceQuorum } from './membership-service';

const members = (...names: string[]): ProcessId[] => names.map((address) => ({ address, incarnation: 1 }));

describe('membershipService', () => {
  it('is the oldest membershipServiceSize members of the view, in seniority order', () => {
    const view = members('a', 'b', 'c', 'd', 'e', 'f', 'g');
    expect(membershipService(view, 3).map((m) => m.address)).toEqual(['a', 'b', 'c']);
    expect(membershipService(view, 5).map((m) => m.address)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('is the whole view when the view is smaller than the service', () => {
    expect(membershipService(members('a', 'b'), 5).map((m) => m.address)).toEqual(['a', 'b']);
  });

  it("gives a failed member's seat to the next-oldest process in the next view", () => {
    const next = members('b', 'c', 'd', 'e');
    expect(membershipService(next, 3).map((m) => m.address)).toEqual(['b', 'c', 'd']);
  });

  it('counts a quorum as a majority of the service, not of the view', () => {
    expect(serviceQuorum(members('a', 'b', 'c', 'd', 'e', 'f', 'g'), 3)).toBe(2);
    expect(serviceQuorum(members('a', 'b', 'c', 'd', 'e', 'f', 'g'), 4)).toBe(3);
    expect(serviceQuorum(members('a', 'b'), 5)).toBe(2);
    expect(serviceQuorum(members('a'), 5)).toBe(1);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => membershipService(members('a'), 0)).toThrow(/membershipServiceSize/);
  });
});

import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../process-id';
import type { ViewValue, WireBody } from '../wire-message';
import { joinerMayAccept, memberMayAccept, type Entitlement } from './entitlement';

const a: ProcessId = { address: '10.0.0.1:7000', incarnation: 1 };
const b: ProcessId = { address: '10.0.0.2:7000', incarnation: 1 };
const stranger: ProcessId = { address: '10.9.9.9:7000', incarnation: 1 };
const member: Entitlement = { isMember: (p) => p === a || p === b, seeds: [a.address] };
const value = (members: ProcessId[]): ViewValue => ({
  id: 2,
  members,
  groups: [],
  joined: [],
  left: [],
  failed: [],
  serviceSize: 5,
  flush: [],
});

describe('who may send what', () => {
  it('takes view decisions, answers and exclusions from members only', () => {
    const bodies: WireBody[] = [
      { kind: 'notMember', viewId: 9 },
      { kind: 'commit', value: value([stranger]) },
      { kind: 'suspect', viewId: 1, suspects: [b] },
      { kind: 'nack', viewId: 1, promised: { round: 9, leader: stranger } },
      { kind: 'groupChange', member: b, group: 'g', join: false, secured: false, sponsored: false },
      { kind: 'leaveSystem', viewId: 1 },
    ];
    for (const body of bodies) {
      expect(memberMayAccept(stranger, body, member)).toBe(false);
      expect(memberMayAccept(a, body, member)).toBe(true);
    }
  });

  it('takes a flush or proposal only from the leader its ballot names', () => {
    const flush: WireBody = { kind: 'flush', viewId: 1, ballot: { round: 3, leader: a } };
    expect(memberMayAccept(a, flush, member)).toBe(true);
    expect(memberMayAccept(b, flush, member)).toBe(false);
    const propose: WireBody = {
      kind: 'propose',
      viewId: 1,
      ballot: { round: 3, leader: stranger },
      value: value([a]),
    };
    expect(memberMayAccept(stranger, propose, member)).toBe(false);
  });

  it('lets anyone send heartbeats, join requests and data', () => {
    expect(memberMayAccept(stranger, { kind: 'heartbeat', viewId: 1 }, member)).toBe(true);
    expect(memberMayAccept(stranger, { kind: 'joinRequest', joiner: stranger }, member)).toBe(true);
  });

  it('has a joiner install a view only from a process inside it and hear notMember only from a seed', () => {
    const joiner: Entitlement = { isMember: () => false, seeds: [a.address] };
    expect(joinerMayAccept(stranger, { kind: 'commit', value: value([a, b]) }, joiner)).toBe(false);
    expect(joinerMayAccept(a, { kind: 'commit', value: value([a, b]) }, joiner)).toBe(true);
    expect(joinerMayAccept(stranger, { kind: 'notMember', viewId: 3 }, joiner)).toBe(false);
    expect(joinerMayAccept(a, { kind: 'notMember', viewId: 3 }, joiner)).toBe(true);
  });
});

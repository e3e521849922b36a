import { describe, expect, it } from 'vitest';
import { type ProcessId, processKey } from '../process-id';
import type { GroupMembership } from '../wire-message';
import { admitsChange, groupChangeRefusal } from './group-admission';
import { buildNextView, type GroupChange } from './next-view';

const a: ProcessId = { address: 'a:1', incarnation: 1 };
const b: ProcessId = { address: 'b:1', incarnation: 1 };
const k: ProcessId = { address: 'k:1', incarnation: 1 };
const vault: GroupMembership = {
  name: 'vault',
  viewId: 3,
  groupViewId: 1,
  members: [a],
  secured: true,
};
const change = (member: ProcessId, sponsored = false, secured = false) =>
  ({ kind: 'groupChange', member, group: 'vault', join: true, secured, sponsored }) as const;

describe('joining a secured group', () => {
  it('the leader takes a join only as a sponsorship sent straight by a member of the group', () => {
    expect(groupChangeRefusal(change(k), k, [vault])).toMatch(/sponsorship/);
    expect(groupChangeRefusal(change(k), a, [vault])).toMatch(/sponsorship/);
    expect(groupChangeRefusal(change(k, true), b, [vault])).toMatch(/only from a member/);
    expect(groupChangeRefusal(change(k, true), a, [vault])).toBeNull();
    expect(groupChangeRefusal({ ...change(a), join: false }, a, [vault])).toBeNull();
    expect(groupChangeRefusal(change(k), k, [{ ...vault, secured: false }])).toBeNull();
    expect(groupChangeRefusal(change(k, false, true), k, [])).toBeNull();
  });

  it('the view builder admits one unsponsored founder of a new secured group and sponsored joiners after it', () => {
    const current = {
      id: 4,
      members: [a, b, k],
      groups: [],
      joined: [],
      left: [],
      failed: [],
      serviceSize: 3,
      flush: [],
    };
    const keys = new Set([a, b, k].map(processKey));
    const next = buildNextView({
      current,
      responders: keys,
      suspects: new Set(),
      leaving: new Set(),
      joiners: [],
      groupChanges: [change(a, false, true), change(k, false, true), change(b, true)],
      reports: [],
    });
    expect(next.groups).toEqual([
      { name: 'vault', viewId: 5, groupViewId: 1, members: [a, b], secured: true },
    ]);
    expect(admitsChange({ join: true }, true, 1)).toBe(false);
    expect(admitsChange({ join: true }, true, 0)).toBe(true);
    expect(admitsChange({ join: false }, true, 3)).toBe(true);
  });

  it('a keyless founder takes the group open and alone: keyed joiners of the same decision never share its view', () => {
    const current = {
      id: 13,
      members: [a, b, k],
      groups: [],
      joined: [],
      left: [],
      failed: [],
      serviceSize: 3,
      flush: [],
    };
    const decide = (groups: GroupMembership[], groupChanges: GroupChange[]) =>
      buildNextView({
        current: { ...current, groups },
        responders: new Set([a, b, k].map(processKey)),
        suspects: new Set(),
        leaving: new Set(),
        joiners: [],
        groupChanges,
        reports: [],
      }).groups;
    // The group emptied in the last view; the keyless joiner's request reached the leader first.
    expect(decide([], [change(k), change(b, false, true)])).toEqual([
      { name: 'vault', viewId: 14, groupViewId: 1, members: [k], secured: false },
    ]);
    // Its last member leaves, the keyless joiner refounds it, and a join that member sponsored comes in the same decision.
    expect(decide([vault], [{ ...change(a), join: false }, change(k), change(b, true)])).toEqual([
      { name: 'vault', viewId: 14, groupViewId: 1, members: [k], secured: false },
    ]);
    expect(admitsChange({ join: true, secured: true }, false, 1)).toBe(false);
    expect(admitsChange({ join: true, sponsored: true }, false, 1)).toBe(false);
    expect(admitsChange({ join: true }, false, 1)).toBe(true);
  });
});

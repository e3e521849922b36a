import { describe, expect, it } from 'vitest';
import { type ProcessId, processKey } from '../process-id';
import type { GroupMembership, ViewValue } from '../wire-message';
import { buildNextView, type GroupChange } from './next-view';

const a: ProcessId = { address: 'a:1', incarnation: 1 };
const b: ProcessId = { address: 'b:1', incarnation: 1 };
const c: ProcessId = { address: 'c:1', incarnation: 1 };

function next(groups: GroupMembership[], changes: GroupChange[], failed: ProcessId[] = []): ViewValue {
  const members = [a, b, c];
  return buildNextView({
    current: { id: 40, members, groups, joined: [], left: [], failed: [], serviceSize: 3, flush: [] },
    responders: new Set(members.filter((m) => !failed.includes(m)).map(processKey)),
    suspects: new Set(failed.map(processKey)),
    leaving: new Set(),
    joiners: [],
    groupChanges: changes,
    reports: [],
  });
}

const join = (member: ProcessId, group: string): GroupChange => ({ member, group, join: true });

describe('group view ids', () => {
  const g = (name: string, groupViewId: number, members: ProcessId[]): GroupMembership => ({
    name,
    viewId: 30 + groupViewId,
    groupViewId,
    members,
  });

  it('count each group on its own: a new group starts at 1, a changed one goes up by one, others keep theirs', () => {
    const value = next([g('kept', 7, [a]), g('grown', 4, [a])], [join(b, 'grown'), join(c, 'fresh')]);
    expect(value.groups.map((x) => [x.name, x.groupViewId, x.viewId])).toEqual([
      ['fresh', 1, 41],
      ['grown', 5, 41],
      ['kept', 7, 37],
    ]);
  });

  it('count a member that failed as a change of every group it was in', () => {
    const value = next([g('shared', 2, [a, c]), g('other', 9, [b])], [], [c]);
    expect(value.groups.map((x) => [x.name, x.groupViewId, x.members])).toEqual([
      ['other', 9, [b]],
      ['shared', 3, [a]],
    ]);
  });

  it('start again at 1 for a group that emptied and was founded again in the same decision', () => {
    const value = next([g('solo', 6, [a])], [{ ...join(a, 'solo'), join: false }, join(b, 'solo')]);
    expect(value.groups).toEqual([
      { name: 'solo', viewId: 41, groupViewId: 1, members: [b], secured: false },
    ]);
  });
});

import { assert } from '../errors/invariant-error';
import { type ProcessId, processKey, sameProcess } from '../process-id';
import { recordKey } from '../multicast/record-order';
import type { DataRecord, GroupMembership, ViewValue } from '../wire-message';
import { admitsChange } from './group-admission';

export interface GroupChange {
  readonly member: ProcessId;
  readonly group: string;
  readonly join: boolean;
  readonly secured?: boolean;
  readonly sponsored?: boolean;
}

interface NextGroup {
  viewId: number;
  groupViewId: number;
  members: ProcessId[];
  changed: boolean;
  secured: boolean;
}

/** What the leader learned during the flush phase, from which it builds the next view. */
export interface ViewChangeInput {
  readonly current: ViewValue;
  /** Members of the current view that answered the flush: exactly the survivors (minus leavers and suspects). */
  readonly responders: ReadonlySet<string>;
  readonly suspects: ReadonlySet<string>;
  readonly leaving: ReadonlySet<string>;
  readonly joiners: readonly ProcessId[];
  readonly groupChanges: readonly GroupChange[];
  readonly reports: readonly (readonly DataRecord[])[];
}

/** Builds the next view. Survivors keep their seniority (rank order), joiners follow, oldest request first; every group
 *  loses departed processes in this same decision. */
export function buildNextView(input: ViewChangeInput): ViewValue {
  const { current } = input;
  const survives = (m: ProcessId): boolean =>
    input.responders.has(processKey(m)) &&
    !input.suspects.has(processKey(m)) &&
    !input.leaving.has(processKey(m));
  const replaced = new Set(input.joiners.map((j) => j.address));
  const survivors = current.members.filter((m) => survives(m) && !replaced.has(m.address));
  const joined = input.joiners.filter((j) => !survivors.some((s) => s.address === j.address));
  const members = [...survivors, ...joined];
  const gone = current.members.filter((m) => !members.some((n) => sameProcess(n, m)));
  const left = gone.filter((m) => input.leaving.has(processKey(m)));
  const failed = gone.filter((m) => !input.leaving.has(processKey(m)));
  const id = current.id + 1;
  const groups = nextGroups(current.groups, members, input.groupChanges, id);
  const flush = unionOfReports(input.reports, current.id);
  assert(members.length > 0, 'a view change would leave the system empty');
  return { id, members, groups, joined, left, failed, flush, serviceSize: current.serviceSize };
}

function nextGroups(
  groups: readonly GroupMembership[],
  members: readonly ProcessId[],
  changes: readonly GroupChange[],
  id: number,
): GroupMembership[] {
  const inSystem = (p: ProcessId): boolean => members.some((m) => sameProcess(m, p));
  const next = new Map<string, NextGroup>();
  for (const g of groups) {
    const kept = g.members.filter(inSystem);
    const changed = kept.length !== g.members.length;
    const entry = { viewId: g.viewId, groupViewId: g.groupViewId, members: kept, changed };
    next.set(g.name, { ...entry, secured: g.secured === true });
  }
  for (const c of changes) {
    if (!inSystem(c.member)) continue;
    const entry = next.get(c.group) ?? {
      viewId: id,
      groupViewId: 0,
      members: [],
      changed: true,
      secured: c.secured === true,
    };
    // A group emptied and refounded in this one decision is a new group: the founder's wish, views counted from 1.
    if (entry.members.length === 0 && c.join) {
      entry.secured = c.secured === true || c.sponsored === true;
      entry.groupViewId = 0;
    }
    if (!admitsChange(c, entry.secured, entry.members.length)) continue;
    const present = entry.members.some((m) => sameProcess(m, c.member));
    if (c.join && !present) entry.members.push(c.member);
    if (!c.join && present) entry.members = entry.members.filter((m) => !sameProcess(m, c.member));
    entry.changed ||= c.join !== present;
    next.set(c.group, entry);
  }
  const out: GroupMembership[] = [];
  for (const [name, g] of next) {
    if (g.members.length === 0) continue;
    // A changed group counts one view more; a new one starts at 1 (its entry counted 0 views).
    const viewId = g.changed ? id : g.viewId;
    const groupViewId = g.changed ? g.groupViewId + 1 : g.groupViewId;
    out.push({ name, viewId, groupViewId, members: g.members, secured: g.secured });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every survivor's unstable messages of the closing epoch, each once: what all survivors will have delivered. */
function unionOfReports(reports: readonly (readonly DataRecord[])[], epoch: number): DataRecord[] {
  const seen = new Map<string, DataRecord>();
  for (const report of reports) {
    for (const r of report) if (r.epoch === epoch && !seen.has(recordKey(r))) seen.set(recordKey(r), r);
  }
  return [...seen.values()];
}

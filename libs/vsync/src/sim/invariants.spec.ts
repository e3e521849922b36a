import { describe, expect, it } from 'vitest';
import { History } from './history';
import { checkInvariants } from './invariants';

const A = 'node1:7000#1';
const B = 'node2:7000#1';

function check(h: History): string[] {
  return checkInvariants({ history: h, survivors: new Set(), checkLiveness: false, unsettled: null });
}

function groupView(h: History, process: string, viewId: number, members: string[]): void {
  h.groupViews.push({ process, group: 'g', viewId, members });
  h.timeline.push({ kind: 'view', process, group: 'g', viewId });
}

function deliver(h: History, receiver: string, id: string, viewId: number): void {
  h.sent.set(id, { id, sender: A, group: 'g', ordering: 'fifo', index: Number(id.slice(1)) });
  h.deliveries.push({ receiver, group: 'g', viewId, sender: A, ordering: 'fifo', id });
  h.timeline.push({ kind: 'deliver', process: receiver, group: 'g', id });
}

describe('invariants added for the strengthened simulator', () => {
  it('place a delivery by its position between view reports, not by its tag', () => {
    const h = new History();
    groupView(h, A, 5, [A, B]);
    groupView(h, A, 6, [A, B]);
    deliver(h, A, 'm1', 5);
    expect(check(h).filter((v) => v.startsWith('view synchrony'))).toEqual([
      `view synchrony: ${A} delivered m1 tagged g@5 after reporting g@6`,
    ]);
  });

  it('hold a graceful group leaver to the set the members that went on delivered', () => {
    const h = new History();
    for (const p of [A, B]) groupView(h, p, 5, [A, B]);
    deliver(h, A, 'm1', 5);
    deliver(h, A, 'm2', 5);
    deliver(h, B, 'm1', 5);
    groupView(h, A, 6, [A]);
    h.groupLeaves.add(`${B}|g|5`);
    h.crashed.set(B, 100); // crashing after the leave changes nothing: the leave had completed
    expect(check(h).some((v) => v.startsWith(`view synchrony: ${B} left g@5 gracefully`))).toBe(true);
  });

  it('refuse an incarnation a view removed when a later view holds it again', () => {
    const h = new History();
    h.systemViews.push({ process: A, id: 1, members: [A, B] });
    h.systemViews.push({ process: A, id: 2, members: [A] });
    h.systemViews.push({ process: A, id: 3, members: [A, B] });
    expect(check(h)).toContain(`fencing: ${B}, removed by view 2, is back in view 3`);
  });
});

import { describe, expect, it } from 'vitest';
import type { SystemView } from '@gridcloud/vsync';
import { MembershipBoard } from './membership-board';

const est = { address: '127.0.0.1:7101', incarnation: 1 };
const ing = { address: '127.0.0.1:7102', incarnation: 5 };

function view(id: number, members: (typeof est)[], failed: (typeof est)[] = []): SystemView {
  return {
    id,
    members,
    groups: [
      { name: 'service.estimator', viewId: id, groupViewId: id, members: members.filter((m) => m === est) },
      { name: 'estimators', viewId: id, groupViewId: id, members },
    ],
    left: [],
    failed,
  };
}

describe('MembershipBoard', () => {
  it("shows each group's members by service, and joins and failures as they happen", () => {
    const board = new MembershipBoard(10);
    board.onSystemView(view(1, [est]), 1);
    board.onSystemView(view(2, [est, ing]), 2);
    board.onSystemView(view(3, [ing], [est]), 3);
    const panel = board.panel();
    expect(panel.systemViewId).toBe(3);
    expect(panel.groups.find((g) => g.name === 'estimators')?.members).toEqual(['127.0.0.1:7102#5']);
    expect(panel.events.map((e) => [e.kind, e.text])).toEqual([
      ['joined', '127.0.0.1:7102#5 joined'],
      ['failed', 'estimator 127.0.0.1:7101#1 failed'],
    ]);
  });

  it('reports an incarnation replaced by its restart at the same address as failed', () => {
    const board = new MembershipBoard(10);
    const restarted = { ...est, incarnation: 2 };
    board.onSystemView(view(1, [est, ing]), 1);
    board.onSystemView({ ...view(2, [restarted, ing]), failed: [] }, 2);
    expect(board.panel().events.map((e) => e.kind)).toEqual(['joined', 'failed']);
    expect(board.panel().events[1].text).toBe('estimator 127.0.0.1:7101#1 failed');
  });

  it('records supervisor restarts and keeps only the latest maxEvents lines', () => {
    const board = new MembershipBoard(2);
    for (let attempt = 1; attempt <= 3; attempt += 1)
      board.onClusterEvent(
        {
          kind: 'restarted',
          service: 'estimator',
          instance: 'estimator/0',
          reason: 'left its view',
          failedAtMs: 0,
          joinedAtMs: 900,
          rejoinMs: 900,
          attempt,
        },
        attempt,
      );
    const events = board.panel().events;
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.atMs)).toEqual([2, 3]);
    expect(events[0].text).toBe('estimator/0: rejoined 900 ms after left its view');
  });
});

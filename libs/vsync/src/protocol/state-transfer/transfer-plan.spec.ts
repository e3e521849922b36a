import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../process-id';
import { View } from '../view';
import { TransferPlan } from './transfer-plan';

const p = (n: number): ProcessId => ({ address: `h:${n}`, incarnation: 1 });
const [a, b, c, d] = [p(1), p(2), p(3), p(4)];

function view(id: number, members: ProcessId[], joined: ProcessId[] = [], failed: ProcessId[] = []): View {
  return new View(id, members, joined, [], failed);
}

describe('TransferPlan', () => {
  it('has the founder of a group start fresh, with nothing to receive', () => {
    expect(new TransferPlan(a).step({ type: 'view', view: view(1, [a], [a]) })).toEqual([
      { type: 'startFresh', viewId: 1 },
    ]);
  });

  it('makes the oldest replicas checkpoint at the boundary and the oldest one serve the joiner', () => {
    const plans = [a, b, c, d].map((m) => new TransferPlan(m, { replicas: 2, maxOpenTransfers: 4 }));
    const v = view(5, [a, b, c, d], [d]);
    const effects = plans.map((plan) => plan.step({ type: 'view', view: v }));
    expect(effects).toEqual([
      [{ type: 'makeCheckpoint', viewId: 5 }],
      [{ type: 'makeCheckpoint', viewId: 5 }],
      [],
      [{ type: 'awaitState', viewId: 5 }],
    ]);
    const request = { type: 'requested', viewId: 5, joiner: d, endpoint: 'h:9' } as const;
    expect(plans.map((plan) => plan.step(request))).toEqual([
      [{ type: 'serve', viewId: 5, joiner: d, endpoint: 'h:9' }],
      [],
      [],
      [],
    ]);
  });

  it('hands the stream to the next replica when the sender fails, and frees the checkpoint once loaded', () => {
    const plan = new TransferPlan(b, { replicas: 2, maxOpenTransfers: 4 });
    plan.step({ type: 'view', view: view(5, [a, b, c], [c]) });
    plan.step({ type: 'requested', viewId: 5, joiner: c, endpoint: 'h:9' });
    expect(plan.step({ type: 'view', view: view(6, [b, c], [], [a]) })).toEqual([
      { type: 'serve', viewId: 5, joiner: c, endpoint: 'h:9' },
    ]);
    expect(plan.step({ type: 'loaded', viewId: 5, joiner: c })).toEqual([
      { type: 'discardCheckpoint', viewId: 5 },
    ]);
    expect(plan.openTransfers).toEqual([]);
  });

  it('tells the joiner its state is lost when every replica has gone', () => {
    const plan = new TransferPlan(c, { replicas: 1, maxOpenTransfers: 4 });
    plan.step({ type: 'view', view: view(5, [a, b, c], [c]) });
    expect(plan.step({ type: 'view', view: view(6, [b, c], [], [a]) })).toEqual([
      { type: 'stateLost', viewId: 5 },
    ]);
  });

  it('forgets a joiner that left before loading and frees the checkpoint', () => {
    const plan = new TransferPlan(a);
    plan.step({ type: 'view', view: view(5, [a, b], [b]) });
    expect(plan.step({ type: 'view', view: view(6, [a], [], [b]) })).toEqual([
      { type: 'discardCheckpoint', viewId: 5 },
    ]);
  });

  it('ignores a request for a view it never saw or from a process that was not a joiner there', () => {
    const plan = new TransferPlan(a);
    plan.step({ type: 'view', view: view(5, [a, b], [b]) });
    expect(plan.step({ type: 'requested', viewId: 4, joiner: b, endpoint: 'h:9' })).toEqual([]);
    expect(plan.step({ type: 'requested', viewId: 5, joiner: c, endpoint: 'h:9' })).toEqual([]);
  });

  it('gives up the oldest transfer beyond maxOpenTransfers', () => {
    const plan = new TransferPlan(a, { replicas: 1, maxOpenTransfers: 1 });
    plan.step({ type: 'view', view: view(5, [a, b], [b]) });
    expect(plan.step({ type: 'view', view: view(6, [a, b, c], [c]) })).toEqual([
      { type: 'discardCheckpoint', viewId: 5 },
      { type: 'makeCheckpoint', viewId: 6 },
    ]);
    expect(plan.openTransfers).toEqual([6]);
  });
});

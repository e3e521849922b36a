import { describe, expect, it } from 'vitest';
import { deliveryWorkers } from './delivery-workers';

const p = (port: number, incarnation = 1): { address: string; incarnation: number } => ({
  address: `127.0.0.1:${port}`,
  incarnation,
});

describe('deliveryWorkers', () => {
  it('keeps the estimators members that are estimator services, in view order, and leaves ingest out', () => {
    const view = { members: [p(1), p(9), p(3), p(2)] };
    const system = {
      groups: [
        { name: 'service.ingest', members: [p(9)] },
        { name: 'service.estimator', members: [p(2), p(1), p(3, 2)] },
      ],
    };
    // p(3) restarted: only its new incarnation is a service member, the old one in the view is not a worker.
    expect(deliveryWorkers(view, system)).toEqual(['127.0.0.1:1#1', '127.0.0.1:2#1']);
    expect(deliveryWorkers(view, { groups: [] })).toEqual([]);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { encodeAreaResult, type AreaResult } from '@gridcloud/estimation';
import { FileStoreClient } from '@gridcloud/filestore';
import { estimatesAsOf } from '../apps/dashboard/src/replay/estimates-as-of';
import { ResultArchive } from '../apps/recorder/src/recording/result-archive';
import { ReplicaSet } from '../scripts/filestore-check/replica-set';

const T0 = 1_733_137_200;
let set: ReplicaSet | undefined;

afterAll(async () => {
  await set?.stop();
});

function areaResult(slot: number, area: number, vm: number): AreaResult {
  return {
    slot,
    timeSec: T0 + slot / 30,
    area,
    areaCount: 2,
    busCount: 4,
    catalogVersion: 1,
    buses: Int32Array.of(2 * area, 2 * area + 1),
    own: Uint8Array.of(1, 1),
    vRe: Float64Array.of(vm, vm),
    vIm: Float64Array.of(0, 0),
    unobservable: new Int32Array(0),
    removedIdcode: new Uint16Array(0),
    removedChannel: new Uint16Array(0),
    openBranches: new Int32Array(0),
    cost: 1,
    degreesOfFreedom: 1,
    badDataRemains: false,
    measurementsUsed: 4,
    computeMs: 1,
  };
}

describe("the recorder's result archive read back as of a past instant (dashboard)", () => {
  it('gives each area its last result at or before the instant, each area result stored once', async () => {
    set = await ReplicaSet.start({ replicas: 1, durable: false, ackReplicas: 1 });
    const archive = new ResultArchive(set.urls, (m) => {
      throw new Error(m);
    });
    // Two workers estimate each area: every result arrives twice.
    for (let slot = 0; slot < 60; slot++)
      for (const area of [0, 1])
        for (let copy = 0; copy < 2; copy++) {
          const r = areaResult(slot, area, 1 + slot / 1000);
          archive.add(r, encodeAreaResult(r));
        }
    await archive.close();
    expect(archive.counters).toMatchObject({ stored: 120, dropped: 0 });

    const client = new FileStoreClient({ urls: set.urls });
    const at = BigInt(T0) * 1_000_000_000n + 1_000_000_000n; // slot 30 is exactly one second in
    const areas = await estimatesAsOf(client, { timeNs: at, clock: 'user' });
    expect(areas.map((a) => [a.area, a.slot])).toEqual([
      [0, 30],
      [1, 30],
    ]);
    expect(areas[0].vmMax).toBeCloseTo(1.03, 9);
    expect(await estimatesAsOf(client, { timeNs: at - 3_600_000_000_000n, clock: 'user' })).toEqual([]);
  });
});

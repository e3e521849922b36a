import { encodeCatalog } from '@gridcloud/estimation';
import type { ProducerRecord } from '@gridcloud/kafka';
import { describe, expect, it } from 'vitest';
import type { PmuSample } from '../pipeline/pmu-sample';
import type { Snapshot } from '../sinks/snapshot-sink';
import { RegionMerge, type RegionMergeEffect } from './region-merge';
import { partitionOfSlot, REGION_HEADER, regionCatalogRecord, regionSnapshotRecord } from './region-record';

const FPS = 30;
const SLOT0 = 1_700_000_000 * FPS;
const EAST = [1000, 1001];
const WEST = [1002, 1003];

function sample(idcode: number, slot: number): PmuSample {
  return {
    idcode,
    streamIdcode: 60_000,
    soc: Math.floor(slot / FPS),
    fracsec: 0,
    stat: 0,
    timeQuality: 0,
    freqHz: 60,
    rocofHzPerS: 0,
    phasors: Float64Array.from([1, idcode / 10_000]),
    analogs: new Float64Array(0),
    digitals: new Uint16Array(0),
    arrivalMs: (slot / FPS) * 1000 + 20,
  };
}

function regionSnapshot(pmus: readonly number[], slot: number, missing: number[] = []): Snapshot {
  const values = pmus.filter((id) => !missing.includes(id)).map((id) => sample(id, slot));
  return {
    slot,
    timeSec: slot / FPS,
    pmuIds: values.map((v) => v.idcode),
    values,
    missing,
    complete: missing.length === 0,
    reason: missing.length === 0 ? 'complete' : 'window',
    firstArrivalMs: 0,
    lastArrivalMs: 0,
    releasedAtMs: 0,
    skippedSlotsBefore: 0,
  };
}

/** A region's record as Kafka hands it to the merger. */
function record(region: string, pmus: readonly number[], slot: number): ProducerRecord {
  return regionSnapshotRecord(region, regionSnapshot(pmus, slot));
}

function newMerge(): RegionMerge {
  return new RegionMerge({
    regions: ['east', 'west'],
    regionDeadlineMs: 200,
    maxPendingRegionSlots: 8,
    maxPmus: 100,
  });
}

function offer(m: RegionMerge, r: ProducerRecord, nowMs: number): readonly RegionMergeEffect[] {
  return m.receive(r.headers as Record<string, string>, r.value as Buffer, nowMs);
}

function snapshotsOf(effects: readonly RegionMergeEffect[]): Snapshot[] {
  return effects.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
}

const at = (slot: number, afterMs: number) => (slot / FPS) * 1000 + afterMs;

describe('RegionMerge', () => {
  it('releases a slot as soon as every region delivered it, with every PMU in IDCODE order', () => {
    const m = newMerge();
    expect(snapshotsOf(offer(m, record('west', WEST, SLOT0), at(SLOT0, 30)))).toEqual([]);
    const [s] = snapshotsOf(offer(m, record('east', EAST, SLOT0), at(SLOT0, 45)));
    expect(s).toMatchObject({ slot: SLOT0, complete: true, reason: 'complete', missing: [] });
    expect(s.pmuIds).toEqual([...EAST, ...WEST]);
    expect(s.values.map((v) => v.phasors[1])).toEqual([0.1, 0.1001, 0.1002, 0.1003]);
    expect(m.merger.countersOf('east')?.latenessMs.quantileMs(0.99)).toBeGreaterThanOrEqual(45);
  });

  it('releases a slot without a region at its deadline, names its PMUs missing, and reports the gap once it is back', () => {
    const m = newMerge();
    offer(m, record('east', EAST, SLOT0), at(SLOT0, 10));
    offer(m, record('west', WEST, SLOT0), at(SLOT0, 10));
    const released: Snapshot[] = [];
    for (let k = 1; k <= 3; k += 1) {
      released.push(...snapshotsOf(offer(m, record('west', WEST, SLOT0 + k), at(SLOT0 + k, 10))));
      released.push(...snapshotsOf(m.tick(at(SLOT0 + k, 250))));
    }
    expect(released.map((s) => [s.slot, s.complete, s.missing])).toEqual([
      [SLOT0 + 1, false, EAST],
      [SLOT0 + 2, false, EAST],
      [SLOT0 + 3, false, EAST],
    ]);
    // East comes back (a restarted regional PDC): its first slot closes the gap.
    offer(m, record('west', WEST, SLOT0 + 4), at(SLOT0 + 4, 10));
    const back = offer(m, record('east', EAST, SLOT0 + 4), at(SLOT0 + 4, 20));
    expect(back.find((e) => e.type === 'gap')).toEqual({
      type: 'gap',
      gap: {
        region: 'east',
        fromSlot: SLOT0 + 1,
        toSlot: SLOT0 + 3,
        slots: 3,
        fromTimeSec: (SLOT0 + 1) / FPS,
        toTimeSec: (SLOT0 + 3) / FPS,
      },
    });
    expect(snapshotsOf(back)[0]).toMatchObject({ slot: SLOT0 + 4, complete: true });
    expect(m.merger.countersOf('east')?.absent).toBe(3);
  });

  it('never doubles a slot: a region part after the release is late, a second copy of an open slot refused', () => {
    const m = newMerge();
    offer(m, record('east', EAST, SLOT0), at(SLOT0, 10));
    expect(offer(m, record('east', EAST, SLOT0), at(SLOT0, 11))).toEqual([
      expect.objectContaining({ type: 'refused', reason: 'duplicate' }),
    ]);
    const out = snapshotsOf(m.tick(at(SLOT0, 300)));
    expect(out).toHaveLength(1);
    // The same record redelivered (a rebalance re-reading uncommitted offsets) or west arriving late.
    for (const r of [record('west', WEST, SLOT0), record('east', EAST, SLOT0)])
      expect(offer(m, r, at(SLOT0, 400))).toEqual([expect.objectContaining({ type: 'late', slot: SLOT0 })]);
    expect(m.flush(at(SLOT0, 500))).toEqual([]);
    expect(m.alignerCounters.snapshots).toBe(1);
  });

  it('waits for an earlier slot only when it is in a partition this merger owns', () => {
    const partitions = 4;
    const mine = partitionOfSlot(SLOT0, partitions);
    let next = SLOT0 + 1;
    while (partitionOfSlot(next, partitions) !== mine) next += 1;
    expect(next).toBeGreaterThan(SLOT0 + 1);
    const complete = (m: RegionMerge, slot: number) => {
      offer(m, record('east', EAST, slot), at(slot, 10));
      return snapshotsOf(offer(m, record('west', WEST, slot), at(slot, 10))).map((s) => s.slot);
    };
    // The first slot after the start waits for its deadline: other partitions' backlogs may hold earlier ones.
    const first = (m: RegionMerge) => {
      expect(complete(m, SLOT0)).toEqual([]);
      expect(snapshotsOf(m.tick(at(SLOT0, 250))).map((s) => s.slot)).toEqual([SLOT0]);
    };
    // Owning one partition, the slots between are another merger's: the next own slot leaves at once.
    const one = newMerge();
    one.assign([mine], partitions);
    first(one);
    expect(complete(one, next)).toEqual([next]);
    // Owning them all, it waits for the slots between (they may be behind in another partition) until the deadline.
    const all = newMerge();
    all.assign([0, 1, 2, 3], partitions);
    first(all);
    expect(complete(all, next)).toEqual([]);
    expect(snapshotsOf(all.tick(at(next, 250))).map((s) => [s.slot, s.complete])).toEqual([[next, true]]);
  });

  it('merges the backlog of a partition taken over apart and in order, and drops the open slots of one given away', () => {
    const partitions = 2;
    const slotsOf = (partition: number, from: number, count: number) => {
      const out: number[] = [];
      for (let slot = from; out.length < count; slot += 1)
        if (partitionOfSlot(slot, partitions) === partition) out.push(slot);
      return out;
    };
    const both = (m: RegionMerge, slot: number, nowMs: number) => [
      ...offer(m, record('east', EAST, slot), nowMs),
      ...offer(m, record('west', WEST, slot), nowMs),
    ];
    const m = newMerge();
    m.assign([0], partitions);
    const own = slotsOf(0, SLOT0, 3);
    const nowMs = at(own[2], 10);
    for (const slot of own) both(m, slot, nowMs);
    expect(snapshotsOf(m.tick(nowMs + 250)).map((s) => s.slot)).toEqual(own);

    // The merger of partition 1 died: it committed up to its open slots, and Kafka gives partition 1 here, whose
    // records from that offset are older than what this merger released. Read in any order, they all merge.
    m.assign([0, 1], partitions);
    const backlog = slotsOf(1, own[0] - 40, 6).filter((slot) => slot < own[2]);
    expect(backlog.length).toBeGreaterThan(3);
    const later = nowMs + 300;
    const released: Snapshot[] = [];
    for (const slot of [...backlog].reverse()) released.push(...snapshotsOf(both(m, slot, later)));
    expect(released).toEqual([]);
    released.push(...snapshotsOf(m.tick(later + 250)));
    expect(released.map((s) => [s.slot, s.complete])).toEqual(backlog.map((slot) => [slot, true]));
    expect(m.handOver.takenOverSlots).toBe(backlog.length);
    // Partition 0's own old slots stay late: never doubled.
    expect(offer(m, record('east', EAST, own[1]), later + 300)).toEqual([
      expect.objectContaining({ type: 'late', slot: own[1] }),
    ]);
    // New slots of both partitions merge as before (both owned, each waits for the slots between).
    const next = [...slotsOf(0, own[2] + 1, 1), ...slotsOf(1, own[2] + 1, 1)].sort((a, b) => a - b);
    const fresh = next.flatMap((slot) => snapshotsOf(both(m, slot, later + 400)));
    fresh.push(...snapshotsOf(m.tick(later + 650)));
    expect(fresh.map((s) => [s.slot, s.complete])).toEqual(next.map((slot) => [slot, true]));

    // Partition 0 goes to another merger: its open slot is dropped, not released (the new owner merges it).
    m.assign([1], partitions);
    const open = slotsOf(0, next[1] + 1, 1)[0];
    m.assign([0, 1], partitions);
    offer(m, record('east', EAST, open), later + 500);
    expect(m.holds(open)).toBe(true);
    m.assign([1], partitions);
    expect(m.holds(open)).toBe(false);
    expect(m.handOver.abandonedSlots).toBe(1);
    expect(snapshotsOf(m.flush(later + 600))).toEqual([]);
  });

  it('takes a PMU two regions both carry once, from the first region', () => {
    const m = newMerge();
    offer(m, record('east', [1000, 1002], SLOT0), at(SLOT0, 10));
    const [s] = snapshotsOf(offer(m, record('west', [1002, 1003], SLOT0), at(SLOT0, 10)));
    expect(s.pmuIds).toEqual([1000, 1002, 1003]);
  });

  it('refuses records it cannot use, with a reason, and goes on merging', () => {
    const m = newMerge();
    const good = record('east', EAST, SLOT0);
    const cases: [ProducerRecord, string][] = [
      [record('north', EAST, SLOT0), 'unknown-region'],
      [{ ...good, headers: {} }, 'no-region'],
      [{ ...good, headers: { ...good.headers, [REGION_HEADER]: 'a b' } }, 'no-region'],
      [{ ...good, headers: { [REGION_HEADER]: 'east', 'gridcloud-record': 'x' } }, 'unknown-kind'],
      [{ ...good, value: (good.value as Buffer).subarray(0, 100) }, 'malformed-snapshot'],
      [{ ...good, value: Buffer.alloc(8) }, 'malformed-snapshot'],
      [
        { ...regionCatalogRecord('east', { version: 1, pmus: [] }), value: Buffer.from('nope') },
        'malformed-catalog',
      ],
    ];
    for (const [r, reason] of cases)
      expect(offer(m, r, at(SLOT0, 5)), reason).toEqual([
        expect.objectContaining({ type: 'refused', reason }),
      ]);
    // A region aligning at another rate would name other slots for the same instants.
    offer(m, good, at(SLOT0, 10));
    const at60 = regionSnapshotRecord('west', { ...regionSnapshot(WEST, SLOT0 * 2), timeSec: SLOT0 / FPS });
    expect(offer(m, at60, at(SLOT0, 10))).toEqual([
      expect.objectContaining({ type: 'refused', reason: 'rate-mismatch' }),
    ]);
    expect(snapshotsOf(offer(m, record('west', WEST, SLOT0), at(SLOT0, 12)))).toHaveLength(1);
    expect(m.refused).toMatchObject({ 'no-region': 2, 'malformed-snapshot': 2, 'rate-mismatch': 1 });
  });

  it("describes the merged PMUs from the regions' catalogs, bounded by maxPmus", () => {
    const m = new RegionMerge({
      regions: ['east', 'west'],
      regionDeadlineMs: 100,
      maxPendingRegionSlots: 4,
      maxPmus: 3,
    });
    const catalog = (ids: number[]) => ({
      version: 1,
      pmus: ids.map((idcode) => ({
        idcode,
        station: `S${idcode}`,
        cfgcnt: 1,
        channels: [{ name: 'V1', isCurrent: false, phunitScale: null }],
      })),
    });
    expect(offer(m, regionCatalogRecord('east', catalog(EAST)), 0)).toEqual([]);
    expect(m.catalogs.get(1001)).toMatchObject({
      stationName: 'S1001',
      phasorNames: ['V1'],
      phasorIsCurrent: [false],
    });
    expect(offer(m, regionCatalogRecord('west', catalog(WEST)), 0)).toEqual([
      expect.objectContaining({ reason: 'catalog-over-max-pmus' }),
    ]);
    expect(m.catalogs.size).toBe(2);
    expect(encodeCatalog(catalog([])).length).toBeGreaterThan(4);
  });
});

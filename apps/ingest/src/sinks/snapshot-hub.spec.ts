import { describe, expect, it } from 'vitest';
import type { PmuSample } from '../pipeline/pmu-sample';
import { SnapshotHub } from './snapshot-hub';
import type { LateFrame, Snapshot, SnapshotSink } from './snapshot-sink';

const snapshot: Snapshot = {
  slot: 1,
  timeSec: 1 / 30,
  pmuIds: [],
  values: [],
  missing: [7],
  complete: false,
  reason: 'window',
  firstArrivalMs: 0,
  lastArrivalMs: 0,
  releasedAtMs: 0,
  skippedSlotsBefore: 0,
};
const sample: PmuSample = {
  idcode: 7,
  streamIdcode: 7,
  soc: 0,
  fracsec: 0,
  stat: 0,
  timeQuality: 0,
  freqHz: 60,
  rocofHzPerS: 0,
  phasors: new Float64Array(2),
  analogs: new Float64Array(0),
  digitals: new Uint16Array(0),
  arrivalMs: 0,
};

describe('SnapshotHub', () => {
  it('fans snapshots and late frames out to sinks and subscribers; a throwing listener is counted and the rest still run', () => {
    const seen: string[] = [];
    const sink: SnapshotSink = {
      publish: () => seen.push('sink'),
      publishLate: () => seen.push('sink-late'),
      close: () => Promise.resolve(),
    };
    const hub = new SnapshotHub([sink]);
    hub.subscribe(() => {
      throw new Error('estimator bug');
    });
    const off = hub.subscribe((s) => seen.push(`listener ${s.slot}`));
    hub.subscribeLate((l: LateFrame) => seen.push(`late ${l.sample.idcode}`));
    hub.publish(snapshot);
    hub.publishLate({ sample, slot: 1, ageMs: 500 });
    off();
    hub.publish(snapshot);
    expect(seen).toEqual(['sink', 'listener 1', 'sink-late', 'late 7', 'sink']);
    expect(hub.listenerErrors).toBe(2);
  });

  it('says it takes late frames only while a sink that takes them or a late listener is there', () => {
    const plain: SnapshotSink = { publish: () => undefined, close: () => Promise.resolve() };
    const declining: SnapshotSink = { ...plain, publishLate: () => undefined, takesLate: false };
    expect(new SnapshotHub([plain, declining]).takesLate).toBe(false);
    expect(new SnapshotHub([{ ...plain, publishLate: () => undefined }]).takesLate).toBe(true);
    const hub = new SnapshotHub([plain]);
    const off = hub.subscribeLate(() => undefined);
    expect(hub.takesLate).toBe(true);
    off();
    expect(hub.takesLate).toBe(false);
  });
});

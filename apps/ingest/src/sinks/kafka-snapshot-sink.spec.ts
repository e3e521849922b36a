import { describe, expect, it } from 'vitest';
import {
  decodeCatalog,
  decodeSnapshot,
  SNAPSHOT_RECORD_KIND_HEADER,
  snapshotRecordKind,
} from '@gridcloud/estimation';
import type { ProducerRecord } from '@gridcloud/kafka';
import { KafkaSnapshotSink, type KafkaSnapshotSinkOptions } from './kafka-snapshot-sink';
import type { PmuDescription } from './pmu-catalog-tracker';
import type { Snapshot } from './snapshot-sink';

class Registry {
  readonly map = new Map<number, PmuDescription>();
  get size(): number {
    return this.map.size;
  }
  get(id: number): PmuDescription | undefined {
    return this.map.get(id);
  }
  all(): PmuDescription[] {
    return [...this.map.values()].sort((a, b) => a.idcode - b.idcode);
  }
  configure(idcode: number, phasorNames: string[]): void {
    this.map.set(idcode, { idcode, stationName: `S${idcode}`, cfgcnt: 1, phasorNames });
  }
}

/** Keeps what would go to Kafka; refuses past `capacity`, as a full BoundedProducer queue does. */
class Records {
  readonly kept: ProducerRecord[] = [];
  constructor(private readonly capacity = Number.POSITIVE_INFINITY) {}
  publish(r: ProducerRecord): boolean {
    if (this.kept.length >= this.capacity) return false;
    this.kept.push(r);
    return true;
  }
  kinds(): (string | undefined)[] {
    return this.kept.map((r) => snapshotRecordKind(r.headers?.[SNAPSHOT_RECORD_KIND_HEADER] as string));
  }
}

const OPTIONS: KafkaSnapshotSinkOptions = {
  brokers: ['127.0.0.1:9092'],
  topic: 'pmu.snapshots',
  maxSnapshotQueue: 100,
  instanceId: 'ingest-a',
  format: 'binary',
  catalogIntervalMs: 1000,
};

function snapshot(slot: number, releasedAtMs: number, idcodes: number[]): Snapshot {
  return {
    slot,
    timeSec: slot / 30,
    complete: true,
    reason: 'complete',
    missing: [],
    skippedSlotsBefore: 0,
    firstArrivalMs: releasedAtMs,
    lastArrivalMs: releasedAtMs,
    releasedAtMs,
    values: idcodes.map((idcode) => ({
      idcode,
      streamIdcode: idcode,
      soc: 0,
      fracsec: 0,
      stat: 0,
      timeQuality: 0,
      freqHz: 60,
      rocofHzPerS: 0,
      phasors: Float64Array.of(1, 0.1),
      analogs: new Float64Array(0),
      digitals: new Uint16Array(0),
      arrivalMs: releasedAtMs,
    })),
  } as unknown as Snapshot;
}

function setUp(records = new Records()): { sink: KafkaSnapshotSink; registry: Registry; records: Records } {
  const registry = new Registry();
  registry.configure(7, ['V1']);
  const sink = new KafkaSnapshotSink(OPTIONS, records);
  sink.describePmusFrom(registry);
  return { sink, registry, records };
}

describe('KafkaSnapshotSink (binary)', () => {
  it('sends the catalog before the first snapshot, both under the instance key, in the group layout', () => {
    const { sink, records } = setUp();
    sink.publish(snapshot(30, 1000, [7]));
    expect(records.kinds()).toEqual(['catalog', 'snapshot']);
    expect(records.kept.map((r) => r.key)).toEqual(['ingest-a', 'ingest-a']);
    const catalog = decodeCatalog(records.kept[0].value as Buffer);
    const decoded = decodeSnapshot(records.kept[1].value as Buffer);
    expect(catalog.pmus.map((p) => p.idcode)).toEqual([7]);
    expect(decoded.slot).toBe(30);
    expect(decoded.catalogVersion).toBe(catalog.version);
    expect(Array.from(decoded.phasors)).toEqual([1, 0.1]);
  });

  it('re-sends the catalog every catalogIntervalMs of snapshot time and at once on a change', () => {
    const { sink, registry, records } = setUp();
    sink.publish(snapshot(30, 1000, [7]));
    sink.publish(snapshot(31, 1500, [7]));
    sink.publish(snapshot(32, 2000, [7]));
    expect(records.kinds()).toEqual(['catalog', 'snapshot', 'snapshot', 'catalog', 'snapshot']);
    registry.configure(8, ['V2']);
    sink.publish(snapshot(33, 2100, [7, 8]));
    const last = records.kept.slice(-2);
    expect(records.kinds().slice(-2)).toEqual(['catalog', 'snapshot']);
    expect(decodeCatalog(last[0].value as Buffer).version).toBe(2);
    expect(decodeSnapshot(last[1].value as Buffer).catalogVersion).toBe(2);
  });

  it('tries a catalog dropped by a full queue again on the next interval', () => {
    const { sink, records } = setUp(new Records(0));
    sink.publish(snapshot(30, 1000, [7]));
    expect(sink.catalogsSent).toBe(0);
    const roomy = setUp();
    roomy.sink.publish(snapshot(30, 1000, [7]));
    expect(roomy.sink.catalogsSent).toBe(1);
    expect(records.kept).toEqual([]);
  });

  it('names catalog version 0 and sends no catalog without a registry to describe the PMUs', () => {
    const records = new Records();
    const sink = new KafkaSnapshotSink(OPTIONS, records);
    sink.publish(snapshot(30, 1000, []));
    expect(records.kinds()).toEqual(['snapshot']);
    expect(decodeSnapshot(records.kept[0].value as Buffer).catalogVersion).toBe(0);
  });

  it('refuses a catalog interval that is not positive', () => {
    expect(() => new KafkaSnapshotSink({ ...OPTIONS, catalogIntervalMs: 0 }, new Records())).toThrow(
      /catalogIntervalMs/,
    );
  });
});

describe('KafkaSnapshotSink (json)', () => {
  it('keeps the readable records: key = slot, JSON value, no record-kind header, no catalog', () => {
    const records = new Records();
    const sink = new KafkaSnapshotSink({ ...OPTIONS, format: 'json' }, records);
    sink.publish(snapshot(30, 1000, [7]));
    expect(records.kept).toHaveLength(1);
    expect(records.kept[0].key).toBe('30');
    expect(records.kinds()).toEqual([undefined]);
    expect(JSON.parse(String(records.kept[0].value))).toMatchObject({ slot: 30, pmus: [{ idcode: 7 }] });
  });
});

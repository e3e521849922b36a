import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { describeWithServices, services } from './support/services';
import { casePath } from './support/data-files';

/**
 * Real Kafka, real processes: pmu-sim produces raw frames (key = IDCODE),
 * two ingest replicas in one consumer group share the partitions, align
 * what they own and publish snapshots. Topics are fresh per run (same shape
 * as pmu.frames / pmu.snapshots) so earlier runs' records cannot leak in.
 */
const CASE14 = casePath('case14');
const PMUS = 8;
const WAIT_LIMIT_MS = 90_000;

interface PublishedSnapshot {
  instance: string;
  slot: number;
  pmus: { idcode: number; phasors: number[] }[];
  missing: number[];
}

describeWithServices('ingest Kafka consumer group -> pmu.snapshots', ['kafka'], () => {
  const run = randomUUID().slice(0, 8);
  const framesTopic = `pmu.frames.e2e-${run}`;
  const snapshotsTopic = `pmu.snapshots.e2e-${run}`;
  const kafka = new Kafka({
    clientId: 'ingest-e2e',
    brokers: services.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  let reader: Consumer | undefined;
  const procs: LocalProcess[] = [];

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop()));
    for (const p of procs) p.kill();
    await reader?.disconnect();
    await admin.deleteTopics({ topics: [framesTopic, snapshotsTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('shares frame partitions between two replicas and publishes aligned snapshots covering every PMU', async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: framesTopic, numPartitions: 4 },
        { topic: snapshotsTopic, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    const got: PublishedSnapshot[] = [];
    reader = kafka.consumer({ groupId: `ingest-e2e-reader-${run}` });
    await reader.connect();
    await reader.subscribe({ topic: snapshotsTopic, fromBeginning: true });
    const covered = new Promise<void>((resolve) => {
      void reader!.run({
        eachMessage: async ({ message }) => {
          const body = JSON.parse(String(message.value)) as Omit<PublishedSnapshot, 'instance'>;
          got.push({ instance: String(message.headers?.['ingest-instance']), ...body });
          if (coverage(got).instances.size === 2 && coverage(got).pmus.size === PMUS) resolve();
        },
      });
    });

    const group = `ingest-e2e-${run}`;
    for (const id of ['replica-a', 'replica-b']) {
      const p = LocalProcess.tsx(INGEST_ENTRY, [
        '--kafka-brokers',
        services.kafka.brokers.join(','),
        '--kafka-consume-topic',
        framesTopic,
        '--kafka-group',
        group,
        '--kafka-publish-topic',
        snapshotsTopic,
        '--instance-id',
        id,
        '--align-window-ms',
        '300',
        '--kafka-snapshot-format',
        'json',
      ]);
      procs.push(p);
      await p.waitFor((l) => l.event === 'ready', `${id} ready`);
    }
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      CASE14,
      '--pmus',
      String(PMUS),
      '--kafka-brokers',
      services.kafka.brokers.join(','),
      '--kafka-topic',
      framesTopic,
      '--config-interval-ms',
      '300',
    ]);
    procs.push(sim);
    await sim.waitFor((l) => l.event === 'ready', 'simulator ready');

    // Waiting is bounded; what is asserted is what arrived, not how fast.
    await Promise.race([covered, new Promise((r) => setTimeout(r, WAIT_LIMIT_MS))]);
    const { instances, pmus } = coverage(got);
    expect([...instances].sort()).toEqual(['replica-a', 'replica-b']);
    expect([...pmus].sort((a, b) => a - b)).toEqual(Array.from({ length: PMUS }, (_, i) => 1000 + i));
    for (const s of got) {
      for (const p of s.pmus) {
        // Every phasor is a voltage or current in per unit: finite, and the voltage (first) near 1 pu.
        expect(p.phasors.every(Number.isFinite)).toBe(true);
        expect(Math.hypot(p.phasors[0], p.phasors[1])).toBeGreaterThan(0.9);
        expect(Math.hypot(p.phasors[0], p.phasors[1])).toBeLessThan(1.2);
      }
    }
    // A replica's snapshots never list a PMU twice, and each is ordered by slot.
    for (const id of instances) {
      const mine = got.filter((s) => s.instance === id);
      const slots = mine.map((s) => s.slot);
      expect(slots).toEqual([...slots].sort((a, b) => a - b));
      for (const s of mine) expect(new Set(s.pmus.map((p) => p.idcode)).size).toBe(s.pmus.length);
    }
  });
});

function coverage(got: readonly PublishedSnapshot[]): { instances: Set<string>; pmus: Set<number> } {
  const instances = new Set<string>();
  const pmus = new Set<number>();
  for (const s of got) {
    if (s.pmus.length === 0) continue;
    instances.add(s.instance);
    for (const p of s.pmus) pmus.add(p.idcode);
  }
  return { instances, pmus };
}

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { maxVoltageError } from '@gridcloud/estimation';
import { LocalProcess } from '@gridcloud/supervision';
import { ESTIMATOR_ENTRY, INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';
import { describeWithServices, services } from './support/services';
import { readTruth, releasedSnapshots, ResultsConsumer } from './support/estimation-results';

/**
 * Real Kafka, real processes: pmu-sim -> ingest (Kafka sink only, no vsync) ->
 * pmu.snapshots -> two estimators that each read every partition -> results
 * group -> a ResultCollector here. With 2 areas and 1 replica each worker
 * computes one area, so a snapshot assembles only if both workers read it and
 * agreed on who computes what. A third estimator then joins mid-stream and
 * later one of the first two leaves: the figures of those view changes (areas
 * missing or computed twice) are measured and printed, not asserted, since
 * Kafka readers see a view change at different points of the stream.
 */
const NOISE_SIGMA_PU = 0.002;
const FPS = 30;
const INGEST_DURATION_S = 26;
/** When the third estimator is started, after ingest is ready. */
const JOIN_AFTER_MS = 5000;
/** When the second estimator leaves, after the third is ready. */
const LEAVE_AFTER_MS = 4000;

interface StoppedLine {
  readonly [field: string]: unknown;
  areasComputed: number;
  input: { group: number; kafka: number; duplicateSnapshots: number };
}

interface Released {
  slot: number;
  timeSec: number;
}

describeWithServices('estimators read pmu.snapshots from Kafka', ['kafka'], () => {
  const run = randomUUID().slice(0, 8);
  const topic = `pmu.snapshots.est-e2e-${run}`;
  const bothTopic = `pmu.snapshots.est-both-e2e-${run}`;
  const brokers = services.kafka.brokers.join(',');
  const kafka = new Kafka({
    clientId: 'estimator-e2e',
    brokers: services.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-estimator-kafka-'));
  const procs: LocalProcess[] = [];
  let consumer: ResultsConsumer | undefined;
  let bothConsumer: ResultsConsumer | undefined;

  afterAll(async () => {
    await consumer?.close();
    await bothConsumer?.close();
    await Promise.allSettled(procs.map((p) => p.stop()));
    for (const p of procs) p.kill();
    await admin.deleteTopics({ topics: [topic, bothTopic] }).catch(() => undefined);
    await admin.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('estimates every snapshot from Kafka within the noise of the truth; a view change is measured', async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    const ports = [await freePort(), await freePort(), await freePort()];
    const seeds = `127.0.0.1:${ports[0]}`;
    const startEstimator = (port: number): LocalProcess => {
      const p = LocalProcess.tsx(ESTIMATOR_ENTRY, [
        ...['--case', casePath('case14'), '--areas', '2', '--replicas', '1'],
        ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
        ...['--kafka-snapshots-from', brokers, '--kafka-snapshots-topic', topic],
      ]);
      procs.push(p);
      return p;
    };
    const estimators = [startEstimator(ports[0]), startEstimator(ports[1])];
    for (const e of estimators) await e.waitFor((l) => l.event === 'ready', 'estimator ready');

    consumer = new ResultsConsumer(seeds, 600);
    await consumer.join();
    const { estimates, copies } = consumer;

    const truthFile = path.join(dir, 'truth.jsonl');
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', casePath('case14'), '--tcp', '127.0.0.1:0', '--fps', String(FPS)],
      ...['--noise-sigma-pu', String(NOISE_SIGMA_PU), '--truth', truthFile],
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const snapshotsFile = path.join(dir, 'snapshots.jsonl');
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', String(FPS), '--kafka-brokers', brokers, '--kafka-publish-topic', topic],
      ...['--snapshots-out', snapshotsFile, '--duration-s', String(INGEST_DURATION_S), '--http-port', 'off'],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    await new Promise((resolve) => setTimeout(resolve, JOIN_AFTER_MS));
    const joinStartedSec = Date.now() / 1000;
    const joiner = startEstimator(ports[2]);
    await joiner.waitFor((l) => l.event === 'ready', 'third estimator ready');
    const joinedSec = Date.now() / 1000;
    // A second view change: one of the first two leaves (SIGTERM: it leaves its groups) mid-stream.
    await new Promise((resolve) => setTimeout(resolve, LEAVE_AFTER_MS));
    const leaveStartedSec = Date.now() / 1000;
    const leaving = estimators[1].waitFor((l) => l.event === 'stopped', 'leaving estimator stopped');
    await estimators[1].stop();
    const left = (await leaving) as StoppedLine;
    const report = (await ingest.waitFor((l) => l.event === 'stopped', 'ingest report')) as {
      kafka: { sent: number; dropped: number; catalogsSent: number };
    };
    // Results of the last snapshots are still on their way.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [first, third] = await Promise.all(
      [estimators[0], joiner].map(async (e) => {
        const line = e.waitFor((l) => l.event === 'stopped', 'estimator stopped');
        await e.stop();
        return (await line) as StoppedLine;
      }),
    );
    const stopped = [first, left, third];
    await sim.stop();

    const released = releasedSnapshots<Released>(snapshotsFile);
    expect(report.kafka.dropped).toBe(0);
    expect(report.kafka.catalogsSent).toBeGreaterThan(0);
    // Snapshot records plus catalog records.
    expect(report.kafka.sent).toBe(released.length + report.kafka.catalogsSent);
    // Nothing came through the group: ingest has no vsync; every snapshot an estimator took came from Kafka.
    for (const s of stopped.slice(0, 2)) {
      expect(s.input.group).toBe(0);
      expect(s.input.kafka).toBeGreaterThan(0);
      expect(s.areasComputed).toBeGreaterThan(0);
    }

    // Before the third estimator was even started, two workers in one view: every snapshot assembled, each
    // area computed by exactly one of them.
    const steady = released.filter((s) => s.timeSec < joinStartedSec);
    expect(steady.length).toBeGreaterThan(100);
    const lacking = steady.filter((s) => !estimates.has(s.slot)).map((s) => s.slot);
    expect(lacking, 'steady-state snapshots without an assembled estimate').toEqual([]);
    for (const s of steady) for (const area of [0, 1]) expect(copies.get(`${s.slot}/${area}`)).toBe(1);

    const truth = readTruth(truthFile);
    let worst = 0;
    for (const e of estimates.values()) {
      const point = truth.at(e.timeSec);
      expect(point, `truth at ${e.timeSec}`).toBeDefined();
      const error = maxVoltageError(e, point!);
      expect(error.comparedBuses).toBeGreaterThan(0);
      worst = Math.max(worst, error.maxErrorPu);
    }
    expect(worst).toBeLessThan(6 * NOISE_SIGMA_PU);

    const phase = (from: number, to: number): string => {
      const inPhase = released.filter((s) => s.timeSec >= from && s.timeSec < to);
      const areaCopies = inPhase.flatMap((s) => [0, 1].map((a) => copies.get(`${s.slot}/${a}`) ?? 0));
      return (
        `${inPhase.length} snapshots, ${inPhase.filter((s) => !estimates.has(s.slot)).length} not assembled, ` +
        `${areaCopies.filter((c) => c === 0).length} areas computed by no worker, ` +
        `${areaCopies.filter((c) => c > 1).length} by two or more`
      );
    };
    process.stderr.write(
      `estimator-kafka: ${released.length} snapshots (${steady.length} before the join), ${estimates.size} assembled, ` +
        `largest voltage error ${worst.toFixed(5)} pu; third estimator ready ${(joinedSec - joinStartedSec).toFixed(1)} s ` +
        `after its start; from its start to the leave: ${phase(joinStartedSec, leaveStartedSec)}; ` +
        `from the leave on: ${phase(leaveStartedSec, Number.POSITIVE_INFINITY)}; ` +
        `inputs ${JSON.stringify(stopped.map((s) => s.input))}\n`,
    );
  }, 180_000);

  it('estimates a snapshot sent both ways (group and Kafka) once, from its first copy', async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: bothTopic, numPartitions: 2 }], waitForLeaders: true });
    const ports = [await freePort(), await freePort()];
    const seeds = `127.0.0.1:${ports[0]}`;
    const estimators = ports.map((port) => {
      const p = LocalProcess.tsx(ESTIMATOR_ENTRY, [
        ...['--case', casePath('case14'), '--areas', '2', '--replicas', '1'],
        ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
        ...['--kafka-snapshots-from', brokers, '--kafka-snapshots-topic', bothTopic],
      ]);
      procs.push(p);
      return p;
    });
    for (const e of estimators) await e.waitFor((l) => l.event === 'ready', 'estimator ready');
    bothConsumer = new ResultsConsumer(seeds);
    await bothConsumer.join();
    const { copies } = bothConsumer;

    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      casePath('case14'),
      '--tcp',
      '127.0.0.1:0',
      '--fps',
      String(FPS),
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const snapshotsFile = path.join(dir, 'both-snapshots.jsonl');
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', String(FPS), '--kafka-brokers', brokers, '--kafka-publish-topic', bothTopic],
      ...[
        '--vsync-seeds',
        seeds,
        '--snapshots-out',
        snapshotsFile,
        '--duration-s',
        '10',
        '--http-port',
        'off',
      ],
    ]);
    procs.push(ingest);
    const report = (await ingest.waitFor((l) => l.event === 'stopped', 'ingest report')) as {
      kafka: { dropped: number };
      vsync: { sent: number; dropped: number };
    };
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const stopped = await Promise.all(
      estimators.map(async (e) => {
        const line = e.waitFor((l) => l.event === 'stopped', 'estimator stopped');
        await e.stop();
        return (await line) as { input: { group: number; kafka: number; duplicateSnapshots: number } };
      }),
    );
    await sim.stop();

    const released = releasedSnapshots<Released>(snapshotsFile);
    expect(report.kafka.dropped).toBe(0);
    expect(report.vsync.dropped).toBe(0);
    expect(released.length).toBeGreaterThan(100);
    for (const s of stopped) {
      // Each snapshot came twice: one copy estimated, the other dropped.
      expect(s.input.group + s.input.kafka).toBe(released.length);
      expect(s.input.duplicateSnapshots).toBe(released.length);
    }
    for (const s of released) for (const area of [0, 1]) expect(copies.get(`${s.slot}/${area}`)).toBe(1);
    process.stderr.write(
      `estimator-kafka both ways: ${released.length} snapshots; inputs ${JSON.stringify(stopped.map((s) => s.input))}\n`,
    );
  }, 150_000);
});

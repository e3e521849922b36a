import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import type { LocalProcess } from '@gridcloud/supervision';
import { casePath } from './support/data-files';
import { describeWithServices, services } from './support/services';
import { isClusterEvent, startCluster } from './supervision/cluster-run';

/**
 * Hierarchical PDCs over real Kafka, as real processes kept by the supervisor: pmu-sim serves two streams (PMUs
 * 1000-1001 and 1002-1003), a regional ingest aligns each (`--region east|west`) and sends its partial snapshots to
 * the region topic, and a merger (`--merge-regions east,west`) merges them by slot into `--snapshots-out`. The east
 * PDC is SIGKILLed; the supervisor restarts it. Merged snapshots must resume complete, the gap must be reported
 * (the slots without east released incomplete naming its PMUs, and a `region-gap` in the merger's log), and no
 * slot may appear twice or list a PMU twice.
 */
const PMUS = { east: [1000, 1001], west: [1002, 1003] };
const ALL = [...PMUS.east, ...PMUS.west];
const WAIT_MS = 150_000;
const COMPLETE_BEFORE_AND_AFTER = 30;

interface MergedRow {
  slot: number;
  complete: boolean;
  missing: number[];
  pmus: { idcode: number }[];
}

interface Gap {
  region: string;
  fromSlot: number;
  toSlot: number;
  slots: number;
}

describeWithServices(
  'hierarchical PDCs: two regional ingests and a merger over Kafka, one region SIGKILLed and restarted',
  ['kafka'],
  () => {
    const run = randomUUID().slice(0, 8);
    const topics = { regions: `pmu.region-snapshots.e2e-${run}`, catalogs: `pmu.region-catalogs.e2e-${run}` };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-regions-'));
    const mergedFile = path.join(dir, 'merged.jsonl');
    const admin = new Kafka({
      clientId: 'regions-e2e',
      brokers: services.kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    let cluster: LocalProcess | undefined;

    afterAll(async () => {
      if (cluster?.running) {
        cluster.child.kill('SIGINT');
        await Promise.race([cluster.exited, new Promise((r) => setTimeout(r, 20_000))]);
      }
      cluster?.kill();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
    });

    it(
      'resumes complete merged snapshots after the restart, reports the gap, doubles nothing',
      { timeout: 400_000 },
      async () => {
        await admin.connect();
        await admin.createTopics({
          topics: [
            { topic: topics.regions, numPartitions: 4 },
            { topic: topics.catalogs, numPartitions: 1 },
          ],
          waitForLeaders: true,
        });
        cluster = await startCluster(['--desired-state', writeDesiredState(dir, topics, mergedFile, run)]);
        const c = cluster;
        const runDir = /run directory ([^\s;]+)/.exec(
          String(c.lines.find((l) => /run directory/.test(String(l.text)))?.text ?? ''),
        )?.[1];
        expect(runDir, 'the cluster names its run directory').toBeDefined();
        const diagnostics = () =>
          `${tail(path.join(runDir!, 'ingest-merge-0.log'))}\n${c.stderr.slice(-2000)}`;

        await until(
          () => completeRows(readMerged(mergedFile)).length >= COMPLETE_BEFORE_AND_AFTER,
          'complete merged snapshots',
          diagnostics,
        );
        const victim = pidOf(c, 'ingest-east/0');
        process.kill(victim, 'SIGKILL');
        const restarted = await c.waitFor(
          isClusterEvent('restarted', 'ingest-east/0'),
          'ingest-east/0 restarted',
          WAIT_MS,
        );
        expect(restarted.reason).toBe('exited (signal SIGKILL)');
        expect(pidOf(c, 'ingest-east/0')).not.toBe(victim);

        let gap: Gap | undefined;
        await until(
          () => {
            gap ??= gapsIn(path.join(runDir!, 'ingest-merge-0.log')).find((g) => g.region === 'east');
            return (
              gap !== undefined &&
              completeRows(readMerged(mergedFile)).filter((r) => r.slot > gap!.toSlot).length >=
                COMPLETE_BEFORE_AND_AFTER
            );
          },
          'a reported east gap and complete merged snapshots after it',
          diagnostics,
        );

        const rows = readMerged(mergedFile);
        const slots = rows.map((r) => r.slot);
        // Nothing doubled: every merged slot once, in order, and no PMU twice in a slot.
        expect(new Set(slots).size).toBe(slots.length);
        expect(slots).toEqual([...slots].sort((a, b) => a - b));
        for (const r of rows) {
          const ids = r.pmus.map((p) => p.idcode);
          expect(new Set(ids).size, `slot ${r.slot}`).toBe(ids.length);
          // A region not heard from yet (at the start) has no PMUs to name, so an incomplete slot may name fewer.
          const named = [...ids, ...r.missing];
          expect(new Set(named).size, `slot ${r.slot}`).toBe(named.length);
          expect(
            named.every((id) => ALL.includes(id)),
            `slot ${r.slot}`,
          ).toBe(true);
        }
        for (const r of completeRows(rows))
          expect(r.pmus.map((p) => p.idcode).sort((a, b) => a - b)).toEqual(ALL);
        // The gap: every slot in it released without east, its PMUs named missing, and as many as reported.
        const inGap = rows.filter((r) => r.slot >= gap!.fromSlot && r.slot <= gap!.toSlot);
        expect(inGap.length).toBe(gap!.slots);
        for (const r of inGap) {
          expect(r.complete).toBe(false);
          expect(r.missing).toEqual(PMUS.east);
          expect(r.pmus.map((p) => p.idcode).sort((a, b) => a - b)).toEqual(PMUS.west);
        }
        // And after it, complete again.
        const after = rows.filter((r) => r.slot > gap!.toSlot);
        expect(after.slice(-COMPLETE_BEFORE_AND_AFTER).every((r) => r.complete)).toBe(true);
      },
    );
  },
);

function writeDesiredState(
  dir: string,
  topics: { regions: string; catalogs: string },
  mergedFile: string,
  run: string,
): string {
  const vsync = ['--vsync-port', '{vsyncPort}', '--vsync-seeds', '{seeds}', '--http-port', '{httpPort}'];
  const kafka = [
    '--kafka-brokers',
    services.kafka.brokers.join(','),
    '--region-topic',
    topics.regions,
    '--region-catalog-topic',
    topics.catalogs,
    '--quality-interval-ms',
    '0',
  ];
  const region = (name: string, stream: number) => ({
    entry: 'apps/ingest/src/main.ts',
    aliveGroup: 'service.ingest',
    args: [
      '--region',
      name,
      '--tcp',
      `${stream}@{host}:{pmu-sim/0.port.c37}`,
      '--reconnect-min-ms',
      '100',
      '--reconnect-max-ms',
      '1000',
      ...kafka,
      ...vsync,
    ],
  });
  const state = {
    host: '127.0.0.1',
    portBase: 27_500,
    restart: {
      maxRestarts: 5,
      windowMs: 120_000,
      backoffInitialMs: 500,
      backoffMaxMs: 4000,
      joinTimeoutMs: 90_000,
    },
    services: {
      supervisor: {
        instances: 1,
        entry: 'apps/supervisor/src/main.ts',
        args: ['--desired-state', '{desiredState}', ...vsync],
      },
      'pmu-sim': {
        entry: 'apps/pmu-sim/src/main.ts',
        ports: ['c37'],
        aliveGroup: 'none',
        args: [
          '--case',
          casePath('case14'),
          '--pmus',
          '4',
          '--pmus-per-stream',
          '2',
          '--fps',
          '30',
          '--tcp',
          '{host}:{port.c37}',
        ],
      },
      'ingest-east': region('east', 60_000),
      'ingest-west': region('west', 60_001),
      'ingest-merge': {
        entry: 'apps/ingest/src/main.ts',
        aliveGroup: 'service.ingest',
        args: [
          '--merge-regions',
          'east,west',
          '--kafka-group',
          `ingest-merge-e2e-${run}`,
          '--region-deadline-ms',
          '2000',
          '--snapshots-out',
          mergedFile,
          ...kafka,
          ...vsync,
        ],
      },
    },
  };
  const file = path.join(dir, 'desired-state.json');
  fs.writeFileSync(file, JSON.stringify(state, null, 2));
  return file;
}

function readMerged(file: string): MergedRow[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  // The last line may be half written.
  return lines.slice(0, -1).map((l) => JSON.parse(l) as MergedRow);
}

function completeRows(rows: readonly MergedRow[]): MergedRow[] {
  return rows.filter((r) => r.complete);
}

function gapsIn(logFile: string): Gap[] {
  if (!fs.existsSync(logFile)) return [];
  return [...fs.readFileSync(logFile, 'utf8').matchAll(/region-gap (\{.*\})/g)].map(
    (m) => JSON.parse(m[1]) as Gap,
  );
}

function pidOf(cluster: LocalProcess, instance: string): number {
  const spawned = cluster.lines.filter(
    (l) => l.event === 'process' && l.kind === 'spawned' && l.instance === instance,
  );
  expect(spawned.length, `${instance} was spawned`).toBeGreaterThan(0);
  return spawned.at(-1)!.pid as number;
}

function tail(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-3000) : `(no ${file})`;
}

/** Polls `done` every half second; what is asserted is what arrived, not how fast, so the wait is only bounded. */
async function until(done: () => boolean, what: string, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${WAIT_MS} ms\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

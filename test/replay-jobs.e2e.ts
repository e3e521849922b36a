import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { InfluxDB } from 'influx';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import type { ExportJobResult, ReplayJobResult } from '../apps/recorder/src/jobs/job-data';
import { RecorderPipeline } from '../apps/recorder/src/testing/recorder-pipeline';
import { TcpGate } from '../apps/recorder/src/testing/tcp-gate';
import { describeWithServices, services } from './support/services';
import { casePath } from './support/data-files';

/**
 * A real cluster records its snapshots (the recorder, a member of `estimators`, writes them to a Redis stream);
 * then BullMQ jobs on the real Redis re-estimate the recorded window with libs/estimation and export it as CSV,
 * while the recorder serves the queue with one job at a time.
 */
const CASE14 = casePath('case14');
const WAIT_MS = 90_000;

describeWithServices(
  'replay and CSV export jobs (BullMQ) over the recorded snapshots',
  ['redis', 'influx'],
  () => {
    const run = randomUUID().slice(0, 8);
    const database = `gridcloud_replay_${run}`;
    const prefix = `gridcloud-e2e-${run}`;
    const queueName = `gridcloud-e2e-jobs-${run}`;
    const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-exports-'));
    const connection = { host: services.redis.host, port: services.redis.port, maxRetriesPerRequest: null };
    const influx = new InfluxDB({ host: services.influx.host, port: services.influx.port, database });
    const redis = new Redis({ host: services.redis.host, port: services.redis.port });
    const queue = new Queue(queueName, { connection });
    const events = new QueueEvents(queueName, { connection });
    let gate: TcpGate | undefined;
    let pipeline: RecorderPipeline | undefined;
    let replayed: { id: string; fromMs: number; toMs: number; result: ReplayJobResult } | undefined;

    afterAll(async () => {
      pipeline?.kill();
      await gate?.shut();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await Promise.allSettled([queue.close(), events.close()]);
      await redis.del(`${prefix}:snapshots`, `${prefix}:catalogs`);
      redis.disconnect();
      await influx.dropDatabase(database).catch(() => undefined);
      fs.rmSync(exportDir, { recursive: true, force: true });
    });

    it('re-estimates a recorded window exactly as the live estimators did, retrying through an InfluxDB outage', async () => {
      gate = new TcpGate({ host: services.influx.host, port: services.influx.port }, await freePort());
      await gate.open();
      await events.waitUntilReady();
      pipeline = await RecorderPipeline.start({
        casePath: CASE14,
        estimators: 2,
        areas: 2,
        fps: 10,
        recorderArgs: [
          ...[
            '--influx-url',
            `http://127.0.0.1:${gate.port}/${database}`,
            '--influx-flush-interval-ms',
            '200',
          ],
          ...[
            '--redis-url',
            `redis://${services.redis.host}:${services.redis.port}`,
            '--redis-prefix',
            prefix,
          ],
          ...['--job-queue', queueName, '--job-concurrency', '1', '--export-dir', exportDir],
        ],
      });
      const p = pipeline;
      await p.waitForStats(
        (s) => s.recording!.recorded >= 50 && s.recording!.catalogs >= 1 && s.estimates >= 50,
        'a recording',
      );
      await p.sim.stop();
      await p.ingest.stop();
      const settled = await p.waitForStats(
        (s) => s.influx!.buffered === 0 && s.influx!.written > 0,
        'live points written',
      );
      expect(settled.recording!.dropped).toBe(0);

      const recorded = await redis.xrange(`${prefix}:snapshots`, '-', '+');
      const times = recorded.map(([id]) => Number(id.split('-')[0]));
      const fromMs = times[0];
      const toMs = times[times.length - 1];

      await gate.shut();
      const progress: number[] = [];
      events.on('progress', ({ jobId, data }) => {
        if (jobId === job.id) progress.push(Number(data));
      });
      const job = await queue.add(
        'replay',
        { fromMs, toMs },
        { attempts: 4, backoff: { type: 'fixed', delay: 1500 } },
      );
      await waitUntil(
        async () => ((await Job.fromId(queue, job.id!))?.attemptsMade ?? 0) >= 1,
        'a first attempt failing on InfluxDB',
      );
      await gate.open();
      const result = (await job.waitUntilFinished(events, WAIT_MS)) as ReplayJobResult;
      const done = (await Job.fromId(queue, job.id!))!;
      expect(done.attemptsMade, 'attempts that failed before the one that completed').toBeGreaterThanOrEqual(
        1,
      );
      expect(result).toMatchObject({
        snapshots: times.length,
        assembled: times.length,
        incomplete: 0,
        withoutCatalog: 0,
        undecodable: 0,
      });
      expect(result.firstMs).toBe(fromMs);
      expect(result.lastMs).toBe(toMs);
      expect(progress.at(-1)).toBe(100);
      replayed = { id: job.id!, fromMs, toMs, result };

      // The same snapshots through the same libs/estimation: the same voltages as the live cluster, bus by bus.
      const where = `time >= ${fromMs}ms AND time <= ${toMs}ms`;
      const live = await influx.query<{ time: Date; bus: string; vm: number; va_deg: number }>(
        `SELECT vm, va_deg, bus FROM "raw"."bus_voltage" WHERE "source" = 'live' AND ${where}`,
      );
      const again = await influx.query<{ time: Date; bus: string; vm: number; va_deg: number }>(
        `SELECT vm, va_deg, bus FROM "raw"."bus_voltage" WHERE "source" = 'replay' AND "job" = '${job.id}' AND ${where}`,
      );
      const key = (r: { time: Date; bus: string }): string => `${r.time.getTime()}/${r.bus}`;
      const byKey = new Map(again.map((r) => [key(r), r]));
      expect(byKey.size).toBe(again.length);
      expect(result.voltages, 'bus_voltage points the job says it wrote').toBe(again.length);
      // A bus no PMU observed in a snapshot (a frame lost at start or stop) has no point.
      expect(result.voltages).toBeLessThanOrEqual(result.assembled * 14);
      let compared = 0;
      for (const l of live) {
        const r = byKey.get(key(l));
        expect(r, `replayed ${key(l)}`).toBeDefined();
        expect(Math.abs(r!.vm - l.vm)).toBeLessThan(1e-9);
        expect(Math.abs(r!.va_deg - l.va_deg)).toBeLessThan(1e-7);
        compared += 1;
      }
      expect(compared).toBeGreaterThan(14 * 40);
    });

    it('exports the replayed window to CSV one job at a time, and fails bad job data at once', async () => {
      expect(replayed, 'the replay above').toBeDefined();
      const { id, fromMs, toMs } = replayed!;
      let active = 0;
      let mostActive = 0;
      events.on('active', () => (mostActive = Math.max(mostActive, (active += 1))));
      const finished = (): void => void (active -= 1);
      events.on('completed', finished);
      events.on('failed', finished);
      const jobs = await Promise.all(
        [0, 1, 2].map(() =>
          queue.add('export', { fromMs, toMs, source: 'replay', job: id }, { attempts: 2 }),
        ),
      );
      const results = (await Promise.all(
        jobs.map((j) => j.waitUntilFinished(events, WAIT_MS)),
      )) as ExportJobResult[];
      expect(mostActive, 'jobs running at once with --job-concurrency 1').toBe(1);
      for (const r of results) {
        const lines = fs.readFileSync(r.file, 'utf8').trim().split('\n');
        expect(lines[0]).toBe('time,source,bus,vm_pu,va_deg');
        expect(r.rows).toBe(lines.length - 1);
        expect(r.rows).toBe(replayed!.result.voltages);
        const [time, source, bus, vm] = lines[1].split(',');
        expect(new Date(time).getTime()).toBe(fromMs);
        expect(source).toBe('replay');
        expect(Number(bus)).toBe(1);
        expect(Number(vm)).toBeGreaterThan(0.9);
      }

      const bad = await queue.add(
        'replay',
        { fromMs: 10, toMs: 5 },
        { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
      );
      await expect(bad.waitUntilFinished(events, WAIT_MS)).rejects.toThrow(
        /toMs must be a time in ms not before fromMs/,
      );
      const failed = (await Job.fromId(queue, bad.id!))!;
      expect(failed.attemptsMade, 'bad data is not retried').toBe(1);
      expect(await failed.getState()).toBe('failed');
    });
  },
);

async function waitUntil(test: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { InfluxDB } from 'influx';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { RecorderPipeline } from '../apps/recorder/src/testing/recorder-pipeline';
import { ensureChromium } from '../scripts/chromium.mjs';
import { casePath } from './support/data-files';
import { describeWithServices, services } from './support/services';

/**
 * The dashboard's Replay panel in Debian's Chromium against a real cluster: the recorder records snapshots into
 * the real Redis and writes live estimates to the real InfluxDB; the page shows the recorded range, refuses a
 * window outside it, starts a BullMQ replay of a recorded window, follows its progress to 100%, and its results
 * table holds exactly what the job wrote to InfluxDB (read here), beside the live values of the same instants.
 */
const CASE14 = casePath('case14');
const DASHBOARD_ENTRY = 'apps/dashboard/src/main.ts';
const ARTIFACTS = path.resolve('.artifacts/dashboard-replay');
const WAIT_MS = 90_000;
/** The bus whose results the test reads back (case bus number). */
const BUS = 4;

interface ShownRow {
  timeMs: number;
  vm: number;
  va: number;
  liveVm: number | null;
  liveVa: number | null;
}

async function shownResults(page: Page): Promise<ShownRow[]> {
  return page.$$eval('#replay-table tbody tr', (rows) =>
    rows.map((r) => {
      const d = (r as HTMLElement).dataset;
      const orNull = (v: string | undefined): number | null =>
        v === undefined || v === '' ? null : Number(v);
      return {
        timeMs: Number(d.timeMs),
        vm: Number(d.vm),
        va: Number(d.va),
        liveVm: orNull(d.liveVm),
        liveVa: orNull(d.liveVa),
      };
    }),
  );
}

describeWithServices('dashboard Replay panel over BullMQ, in Chromium', ['redis', 'influx'], () => {
  const run = randomUUID().slice(0, 8);
  const database = `gridcloud_dash_replay_${run}`;
  const prefix = `gridcloud-e2e-dash-${run}`;
  const queueName = `gridcloud-e2e-dash-jobs-${run}`;
  const redisUrl = `redis://${services.redis.host}:${services.redis.port}`;
  const influxUrl = `http://${services.influx.host}:${services.influx.port}/${database}`;
  const influx = new InfluxDB({ host: services.influx.host, port: services.influx.port, database });
  const redis = new Redis({ host: services.redis.host, port: services.redis.port });
  const procs: LocalProcess[] = [];
  let pipeline: RecorderPipeline | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    for (const p of procs) p.kill();
    pipeline?.kill();
    const queue = new Queue(queueName, { connection: { ...services.redis, maxRetriesPerRequest: null } });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await redis.del(`${prefix}:snapshots`, `${prefix}:catalogs`);
    redis.disconnect();
    await influx.dropDatabase(database).catch(() => undefined);
  });

  it('replays a recorded window from the page: progress to 100%, results equal to what the job wrote', async () => {
    const executablePath = ensureChromium();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    pipeline = await RecorderPipeline.start({
      casePath: CASE14,
      estimators: 2,
      areas: 2,
      fps: 10,
      recorderArgs: [
        ...['--influx-url', influxUrl, '--influx-flush-interval-ms', '200'],
        ...['--redis-url', redisUrl, '--redis-prefix', prefix, '--job-queue', queueName],
      ],
    });
    const p = pipeline;
    const dashboard = LocalProcess.tsx(DASHBOARD_ENTRY, [
      ...['--case', CASE14, '--vsync-seeds', p.seeds, '--http-port', '0'],
      ...['--redis-url', redisUrl, '--redis-prefix', prefix, '--job-queue', queueName],
      ...['--influx-url', influxUrl],
    ]);
    procs.push(dashboard);
    const { url } = (await dashboard.waitFor((l) => l.event === 'ready', 'dashboard ready')) as {
      url: string;
    };
    await p.waitForStats((s) => s.recording!.recorded >= 60 && s.estimates >= 60, 'a recording');
    await p.sim.stop();
    await p.ingest.stop();
    await p.waitForStats((s) => s.influx!.buffered === 0 && s.influx!.written > 0, 'live points written');
    const times = (await redis.xrange(`${prefix}:snapshots`, '-', '+')).map(([id]) =>
      Number(id.split('-')[0]),
    );

    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1300 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.click('#tab-replay');
    const status = await page.waitForSelector('#replay-status[data-first-ms]', { timeout: 30_000 });
    expect(Number(await status.getAttribute('data-first-ms'))).toBe(times[0]);
    expect(Number(await status.getAttribute('data-last-ms'))).toBe(times[times.length - 1]);

    // A window reaching before the recording is refused with the range the recording holds.
    const iso = (ms: number): string => new Date(ms).toISOString();
    await page.fill('#replay-from', iso(times[0] - 60_000));
    await page.fill('#replay-to', iso(times[10]));
    await page.click('#replay-start');
    await page.waitForSelector('#replay-message[data-state="refused"]');
    expect(await page.textContent('#replay-message')).toMatch(/outside the recording, which holds/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'refused.png'), fullPage: true });

    const [fromMs, toMs] = [times[5], times[times.length - 5]];
    await page.fill('#replay-from', iso(fromMs));
    await page.fill('#replay-to', iso(toMs));
    await page.click('#replay-start');
    const row = await page.waitForSelector('#replay-jobs tr[data-job]', { timeout: 30_000 });
    const jobId = (await row.getAttribute('data-job'))!;
    await page.waitForSelector(`#replay-jobs tr[data-job="${jobId}"][data-state="completed"]`, {
      timeout: WAIT_MS,
    });
    const done = page.locator(`#replay-jobs tr[data-job="${jobId}"]`);
    expect(await done.getAttribute('data-progress')).toBe('100');
    expect(await done.locator('progress').getAttribute('value')).toBe('100');
    expect(await page.$$('#replay-jobs tr[data-job]'), 'one job per click').toHaveLength(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'completed.png'), fullPage: true });

    // The results of a chosen bus are what the job wrote to InfluxDB, beside the live values of the same instants.
    await page.waitForSelector(`#replay-results[data-job="${jobId}"]`, { timeout: 30_000 });
    await page.selectOption('#replay-bus', String(BUS));
    await page.waitForSelector(`#replay-results[data-job="${jobId}"][data-bus="${BUS}"]`, {
      timeout: 30_000,
    });
    const shown = await shownResults(page);
    type Row = { time: Date; vm: number; va_deg: number };
    const where = `"bus" = '${BUS}' AND time >= ${fromMs}ms AND time <= ${toMs}ms`;
    const written = await influx.query<Row>(
      `SELECT vm, va_deg FROM "raw"."bus_voltage" WHERE "source" = 'replay' AND "job" = '${jobId}' AND ${where}`,
    );
    const live = await influx.query<Row>(
      `SELECT vm, va_deg FROM "raw"."bus_voltage" WHERE "source" = 'live' AND ${where}`,
    );
    expect(written.length).toBe(times.filter((t) => t >= fromMs && t <= toMs).length);
    expect(shown.map((r) => r.timeMs)).toEqual(written.map((r) => r.time.getTime()));
    expect(shown.map((r) => [r.vm, r.va])).toEqual(written.map((r) => [r.vm, r.va_deg]));
    const liveAt = new Map(live.map((r) => [r.time.getTime(), r]));
    expect(shown.map((r) => [r.liveVm, r.liveVa])).toEqual(
      shown.map((r) => [liveAt.get(r.timeMs)?.vm ?? null, liveAt.get(r.timeMs)?.va_deg ?? null]),
    );
    expect(shown.filter((r) => r.liveVm !== null).length).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'results.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('says replay needs --redis-url on a dashboard without it', async () => {
    expect(browser, 'the browser of the test above').toBeDefined();
    const bare = LocalProcess.tsx(DASHBOARD_ENTRY, ['--case', CASE14, '--http-port', '0']);
    procs.push(bare);
    const { url } = (await bare.waitFor((l) => l.event === 'ready', 'dashboard ready')) as { url: string };
    const page = await browser!.newPage();
    await page.goto(url);
    await page.click('#tab-replay');
    await page.waitForSelector('#replay-status[data-state="unavailable"]', { timeout: 30_000 });
    expect(await page.textContent('#replay-status')).toMatch(/replay needs --redis-url/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'unavailable.png') });
  });
});

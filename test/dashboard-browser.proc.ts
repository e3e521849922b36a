/// <reference lib="dom" />
// The functions passed to page.evaluate and waitForFunction run in the browser, where the DOM exists.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import {
  AREA_RESULT_MESSAGE,
  decodeAreaResult,
  RESULTS_GROUP,
  ResultCollector,
  type SystemEstimate,
} from '@gridcloud/estimation';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { LocalProcess } from '@gridcloud/supervision';
import { Group } from '@gridcloud/vsync';
import { ensureChromium } from '../scripts/chromium.mjs';
import { ESTIMATOR_ENTRY, INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';

const DASHBOARD_ENTRY = 'apps/dashboard/src/main.ts';
const CASE14 = casePath('case14');
const ARTIFACTS = path.resolve('.artifacts/dashboard');
const TOKEN = 'grid-operator-token';
/** Branch row 6 of case14 (bus 4 to bus 5) trips this many seconds after pmu-sim starts. */
const TRIP_AT_S = 3;
/** pmu-sim's first PMU (IDCODE 1000) has its GPS unlocked from this second on, for the rest of the run. */
const UNLOCKED_PMU = 1000;
const GPS_UNLOCK_AT_S = 2;
/** case14's reference bus is bus 1, dense index 0: the page shows angles relative to it. */
const REFERENCE_BUS = 0;

/** A PMU's row in the Data quality panel, read from its data attributes. */
interface ShownPmu {
  readonly pmu: number;
  readonly state: string;
  readonly seq: number;
  readonly missing: number;
  readonly late: number;
  readonly crc: number;
  readonly syncLost: number;
  readonly timeQuality: number;
}

/** Columns of ingest's report rows: [id, p50, p99, frames, missing, late, crc, degraded, syncLost, tq, lastSeen, source]. */
type ReportRow = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  string,
];

interface ShownBus {
  readonly index: number;
  readonly slot: number;
  readonly vm: number;
  readonly va: number;
}

function wrapDeg(deg: number): number {
  const w = ((((deg + 180) % 360) + 360) % 360) - 180;
  return w === -180 ? 180 : w;
}

/** The buses the page's table shows for the frame it drew last, read from their data attributes. */
async function shownBuses(page: Page): Promise<ShownBus[]> {
  return page.$$eval('#bus-table tbody tr:not([hidden])', (rows) =>
    rows.map((r) => {
      const d = (r as HTMLElement).dataset;
      return { index: Number(d.busIndex), slot: Number(d.slot), vm: Number(d.vm), va: Number(d.va) };
    }),
  );
}

describe('dashboard in a real Chromium: pmu-sim -> ingest -> two estimators -> dashboard', () => {
  const procs: LocalProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-dashboard-'));
  let consumer: Group | undefined;
  let qualityConsumer: Group | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await consumer?.close();
    await qualityConsumer?.close();
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the published estimates, the tripped line, the membership and a failure; refuses a page without the token', async () => {
    const executablePath = ensureChromium();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const ports = [await freePort(), await freePort()];
    const seeds = `127.0.0.1:${ports[0]}`;
    const estimators = ports.map((port) => {
      const p = LocalProcess.tsx(ESTIMATOR_ENTRY, [
        ...['--case', CASE14, '--areas', '2', '--replicas', '2'],
        ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
      ]);
      procs.push(p);
      return p;
    });
    for (const e of estimators) await e.waitFor((l) => l.event === 'ready', 'estimator ready');

    // The test's own results consumer: what the estimators published, assembled the same way every consumer does.
    const collector = new ResultCollector({ maxOpenSnapshots: 300, maxClosedSnapshots: 10_000 });
    const published = new Map<number, SystemEstimate>();
    consumer = new Group(RESULTS_GROUP, { seeds: [seeds], founder: false });
    consumer.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => {
      for (const e of collector.offer(decodeAreaResult(bytes)))
        if (e.type === 'assembled') published.set(e.estimate.slot, e.estimate);
    });
    await consumer.join();

    // The test's own reader of ingest's quality reports: per report (seq) every PMU's row, to compare with the page.
    const reports = new Map<number, Map<number, ReportRow>>();
    qualityConsumer = new Group('ingest.quality', { seeds: [seeds], founder: false });
    qualityConsumer.handle(messageHandlerId('report'), (part: { seq: number; pmus: ReportRow[] }) => {
      const rows = reports.get(part.seq) ?? new Map<number, ReportRow>();
      for (const r of part.pmus) rows.set(r[0], r);
      reports.set(part.seq, rows);
    });
    await qualityConsumer.join();

    const truthFile = path.join(dir, 'truth.jsonl');
    const dashboard = LocalProcess.tsx(DASHBOARD_ENTRY, [
      ...['--case', CASE14, '--truth', truthFile, '--vsync-seeds', seeds, '--http-port', '0'],
      ...['--dashboard-token', TOKEN, '--stats-interval-ms', '1000'],
    ]);
    procs.push(dashboard);
    const { url } = (await dashboard.waitFor((l) => l.event === 'ready', 'dashboard ready')) as {
      url: string;
    };

    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', CASE14, '--tcp', '127.0.0.1:0', '--fps', '30', '--truth', truthFile],
      ...['--trip-line', `6@${TRIP_AT_S}`, '--gps-unlock', `${UNLOCKED_PMU}@${GPS_UNLOCK_AT_S}-3600`],
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', '30', '--vsync-seeds', seeds, '--http-port', 'off'],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');

    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${url}?token=${TOKEN}`);
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.body.dataset.slot !== undefined, undefined, {
      timeout: 60_000,
    });

    // Values on the page are the published estimate of the slot it shows (angles from the reference bus).
    const shown = await shownBuses(page);
    expect(shown.length).toBe(14);
    const slot = shown[0].slot;
    const estimate = published.get(slot);
    expect(estimate, `the test's consumer has the estimate of slot ${slot}`).toBeDefined();
    const refAngle = Math.atan2(estimate!.vIm[REFERENCE_BUS], estimate!.vRe[REFERENCE_BUS]);
    for (const b of shown) {
      expect(b.slot).toBe(slot);
      expect(b.vm).toBeCloseTo(Math.hypot(estimate!.vRe[b.index], estimate!.vIm[b.index]), 12);
      const angle = wrapDeg(
        ((Math.atan2(estimate!.vIm[b.index], estimate!.vRe[b.index]) - refAngle) * 180) / Math.PI,
      );
      expect(b.va).toBeCloseTo(angle, 9);
    }

    // After the trip the estimate reports branch 6 open and the page names it (bus 4 to bus 5).
    await page.waitForFunction(
      () => document.getElementById('t-open')?.textContent?.includes('4–5'),
      undefined,
      {
        timeout: 30_000,
      },
    );
    const latest = await page.evaluate(() => Number(document.body.dataset.slot));
    expect([...published.get(latest)!.openBranches]).toContain(6);
    await page.waitForFunction(
      () => document.getElementById('t-truth')?.textContent?.endsWith('pu'),
      undefined,
      {
        timeout: 10_000,
      },
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'live.png'), fullPage: true });

    // An area's room: the page gets only that area's buses, still the published values of the slot it names.
    await page.selectOption('#area', '1');
    await page.waitForFunction(
      () => {
        const rows = document.querySelectorAll('#bus-table tbody tr:not([hidden])');
        return rows.length > 0 && rows.length < 14;
      },
      undefined,
      { timeout: 10_000 },
    );
    const inArea = await shownBuses(page);
    const areaEstimate = published.get(inArea[0].slot)!;
    for (const b of inArea)
      expect(b.vm).toBeCloseTo(Math.hypot(areaEstimate.vRe[b.index], areaEstimate.vIm[b.index]), 12);
    const areas = await page.$$eval('#bus-table tbody tr:not([hidden]) td.area', (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(new Set(areas)).toEqual(new Set(['1']));
    await page.screenshot({ path: path.join(ARTIFACTS, 'area-1.png'), fullPage: true });
    await page.selectOption('#area', 'all');

    // The Data quality panel: the unlocked PMU with the figures of the ingest report the row names, the worst first.
    await page.click('#tab-quality');
    await page.waitForSelector(`#ingest-quality tr[data-pmu="${UNLOCKED_PMU}"][data-state="time"]`, {
      timeout: 30_000,
    });
    const pmuRows = await page.$$eval('#ingest-quality tbody tr', (rows) =>
      rows.map((r) => {
        const d = (r as HTMLElement).dataset;
        return {
          pmu: Number(d.pmu),
          state: String(d.state),
          seq: Number(d.seq),
          missing: Number(d.missing),
          late: Number(d.late),
          crc: Number(d.crc),
          syncLost: Number(d.syncLost),
          timeQuality: Number(d.timeQuality),
        } satisfies ShownPmu;
      }),
    );
    const unlocked = pmuRows.find((r) => r.pmu === UNLOCKED_PMU)!;
    const reported = reports.get(unlocked.seq)?.get(UNLOCKED_PMU);
    expect(reported, `the test's reader has report ${unlocked.seq}`).toBeDefined();
    const [, , , , missing, late, crc, , syncLost, timeQuality] = reported!;
    expect(unlocked).toMatchObject({ missing, late, crc, syncLost, timeQuality });
    expect(unlocked.syncLost).toBeGreaterThan(0);
    expect(unlocked.timeQuality).toBe(7);
    const rank = ['silent', 'missing', 'time', 'crc', 'late', 'ok'];
    const ranks = pmuRows.map((r) => rank.indexOf(r.state));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const counts = await page.$$eval('#pmu-state-counts [data-state]', (spans) =>
      spans.map((x) => [(x as HTMLElement).dataset.state, Number((x as HTMLElement).dataset.count)]),
    );
    const byState = Object.fromEntries(counts) as Record<string, number>;
    expect(byState.time).toBeGreaterThanOrEqual(1);
    expect(Object.values(byState).reduce((a, b) => a + b, 0)).toBe(pmuRows.length);
    expect(pmuRows.length).toBe(reports.get(unlocked.seq)!.size);
    await page.screenshot({ path: path.join(ARTIFACTS, 'quality.png'), fullPage: true });

    // The membership panel: the current views, then a worker's failure as it happens.
    await page.click('#tab-membership');
    await page.waitForFunction(
      () => document.querySelectorAll('.group[data-group="service.estimator"] li').length === 2,
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.$$eval('.group[data-group="estimators"] li', (li) => li.length)).toBe(3); // 2 workers + ingest
    estimators[1].kill();
    await page.waitForSelector('#membership-events tr.event-failed', { timeout: 30_000 });
    await page.waitForFunction(
      () => document.querySelectorAll('.group[data-group="service.estimator"] li').length === 1,
      undefined,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'membership.png'), fullPage: true });

    // A page without the token is refused and gets no data.
    const stranger = await browser.newPage();
    await stranger.goto(url);
    await stranger.waitForFunction(
      () => document.getElementById('connection')?.textContent?.startsWith('refused'),
      undefined,
      {
        timeout: 10_000,
      },
    );
    expect(await stranger.evaluate(() => document.body.dataset.slot)).toBeUndefined();
    await stranger.screenshot({ path: path.join(ARTIFACTS, 'refused.png') });

    expect(pageErrors).toEqual([]);
    const stopped = dashboard.waitFor((l) => l.event === 'stopped', 'dashboard stopped', 15_000);
    await dashboard.stop();
    const report = (await stopped) as { framesPublished: number; sockets: { refused: number } };
    expect(report.framesPublished).toBeGreaterThan(10);
    expect(report.sockets.refused).toBeGreaterThan(0);
    process.stderr.write(`dashboard-browser: ${JSON.stringify(report)}; screenshots in ${ARTIFACTS}\n`);
  }, 150_000);
});

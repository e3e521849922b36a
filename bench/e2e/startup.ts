/// <reference lib="dom" />
/**
 * `npx tsx bench/e2e/startup.ts [--case FILE.m] [--no-browser] [--json]`: where `npm start`'s start-up time goes.
 * Launches the embedded cluster and prints one JSON line: milliseconds from launch to the agent's first line, to each instance's spawn and to its `ready` line (it serves: modules
 * loaded, Nest booted, groups joined), to the acting supervisor, to the first whole-system estimate at the
 * console and, in Chromium (playwright-core, Debian's chromium), to the first estimate drawn on the dashboard
 * page: the bar "the page shows estimates within 15 s". Also the 1-minute load, which this figure depends on.
 */
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { flagParser } from '@gridcloud/command-line';
import type { JsonLine } from '@gridcloud/supervision';
import { startCluster } from '../../scripts/chaos/cluster-run';
import { ensureChromium } from '../../scripts/chromium.mjs';
import { casePath } from '../../test/support/data-files';
import { cpuSeconds } from './cpu-sampler';

class StartupBenchError extends Error {}
const { parseFlags, stringFlag } = flagParser((m) => new StartupBenchError(m));
const FIRST_ESTIMATE_TIMEOUT_MS = 120_000;
/** How often the page is asked whether it drew an estimate yet (and retried while the dashboard is not up). */
const PAGE_POLL_MS = 50;

/** Milliseconds from launch, rounded. */
function since(launchMs: number, atMs: number | undefined): number | null {
  return atMs === undefined ? null : Math.round(atMs - launchMs);
}

interface InstanceStartup {
  spawned: number | null;
  ready: number | null;
  /** CPU the process used until it was ready (ms): what its boot costs, whatever else the machine runs. */
  cpuMsToReady: number | null;
}

/** Per instance: spawned and ready, in ms from launch (the first spawn of each, the boot being measured). */
function timeline(
  lines: readonly JsonLine[],
  launchMs: number,
  cpuAtReady: ReadonlyMap<string, number>,
): Record<string, InstanceStartup> {
  const out: Record<string, InstanceStartup> = {};
  for (const l of lines) {
    const instance = l.instance as string | undefined;
    if (instance === undefined) continue;
    out[instance] ??= { spawned: null, ready: null, cpuMsToReady: cpuAtReady.get(instance) ?? null };
    if (l.event === 'process' && l.kind === 'spawned' && out[instance].spawned === null)
      out[instance].spawned = since(launchMs, l.atMs as number);
    if (l.event === 'instance-ready' && out[instance].ready === null)
      out[instance].ready = since(launchMs, l.atMs as number);
  }
  return out;
}

/** Opens the dashboard page as soon as it answers and resolves when it has drawn its first estimate. */
async function firstEstimateOnPage(browser: Browser, url: string, deadlineMs: number): Promise<number> {
  const page = await browser.newPage();
  for (;;) {
    if (Date.now() > deadlineMs) throw new Error(`the page at ${url} showed no estimate in time`);
    try {
      await page.goto(url, { timeout: 2000 });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, PAGE_POLL_MS));
    }
  }
  await page.waitForFunction(() => document.body.dataset.slot !== undefined, undefined, {
    polling: PAGE_POLL_MS,
    timeout: Math.max(1, deadlineMs - Date.now()),
  });
  return Date.now();
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), ['case', 'no-browser', 'json']);
  const caseFile = path.resolve(stringFlag(f, 'case') ?? casePath('case118'));
  // Chromium is started before the cluster so its own start is not counted against the cluster's.
  const browser = f.has('no-browser')
    ? undefined
    : await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox'] });
  const launchMs = Date.now();
  const { process: cluster } = await startCluster(['--case', caseFile]);
  const agentUpMs = Date.now();
  const pids = new Map<string, number>();
  const cpuAtReady = new Map<string, number>();
  cluster.onLine((l) => {
    const instance = l.instance as string;
    if (l.event === 'process' && l.kind === 'spawned' && !pids.has(instance))
      pids.set(instance, l.pid as number);
    const pid = pids.get(instance);
    if (l.event !== 'instance-ready' || pid === undefined || cpuAtReady.has(instance)) return;
    const seconds = cpuSeconds(pid);
    if (seconds !== undefined) cpuAtReady.set(instance, Math.round(seconds * 1000));
  });
  try {
    const deadlineMs = launchMs + FIRST_ESTIMATE_TIMEOUT_MS;
    const url = (
      (await cluster.waitFor((l) => l.event === 'dashboard', 'dashboard URL', 60_000)) as { url: string }
    ).url;
    const [onPageMs, atConsole] = await Promise.all([
      browser === undefined ? Promise.resolve(undefined) : firstEstimateOnPage(browser, url, deadlineMs),
      cluster.waitFor(
        (l) => l.event === 'status' && (l.estimates as number) > 0,
        'first estimate',
        FIRST_ESTIMATE_TIMEOUT_MS,
      ),
    ]);
    const acting = cluster.lines.find((l) => l.event === 'role' && l.acting === true);
    const result = {
      case: path.basename(caseFile),
      agentFirstLineMs: since(launchMs, agentUpMs),
      actingSupervisorMs: since(launchMs, acting?.atMs as number | undefined),
      // The console counts estimates in its 1 s status lines: this is the first line that had one.
      firstEstimateAtConsoleMs: since(launchMs, atConsole.atMs as number),
      firstEstimateOnPageMs: since(launchMs, onPageMs),
      instances: timeline(cluster.lines, launchMs, cpuAtReady),
      loadAverage1m: os.loadavg()[0],
    };
    process.stdout.write(`${JSON.stringify(result, null, f.has('json') ? undefined : 2)}\n`);
  } finally {
    await browser?.close();
    cluster.child.kill('SIGINT');
    await cluster.exited;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/e2e/startup: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof StartupBenchError ? 2 : 1);
});

/**
 * `npm run -s bench:e2e -- [--case FILE.m] [--fps 30] [--duration-s 30] [--ingest-publish member|client] --json`:
 * the embedded cluster end to end (ingest a member of `estimators`, or a client through a representative).
 * Once estimates flow, for --duration-s: reporting instants (snapshots) and whole-system estimates assembled by a
 * member of `results` outside the cluster, latency from each snapshot's PMU timestamp to its estimate's arrival
 * there (p50, p99, max), and the CPU share of each role (percent of one core, summed over its processes; `cluster`
 * is the agent and console). `snapshotsByIngest` is ingest's own count over the window, read from its 1 s stats.
 * The window opens once the system view has been quiet for 5 s (every instance joined); `viewChangesInWindow` counts
 * the view changes that still fell inside it. `stagesMs` breaks the latency down by stage (p50/p99 of each, from
 * the stamps the snapshot and result layouts carry: bench/e2e/stage-latency.ts), `slowestPercentMeanMs` says which
 * stages the slowest 1% spent their time in, and `cpuMsPerFrame` is each role's CPU per snapshot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flagParser } from '@gridcloud/command-line';
import { parseMatpowerCase } from '@gridcloud/grid';
import type { JsonLine } from '@gridcloud/supervision';
import { desiredStateWith, startCluster, sleep } from '../../scripts/chaos/cluster-run';
import { clusterSecret, ResultsObserver } from '../../scripts/chaos/results-observer';
import { cpuSeconds, cpuSecondsByRole, scaled } from './cpu-sampler';
import { quantile, stageBreakdown, tailShare } from './stage-latency';
import { casePath } from '../../test/support/data-files';

class BenchConfigError extends Error {}
const { parseFlags, numberFlag, stringFlag } = flagParser((m) => new BenchConfigError(m));
const FLAGS = ['case', 'fps', 'duration-s', 'ingest-publish', 'json'];
const FLOWING_TIMEOUT_MS = 180_000;
/** Steady state: no system view installed for this long (the last instances have joined their groups). */
const SETTLED_QUIET_MS = 5_000;
const SETTLED_TIMEOUT_MS = 120_000;

/** pid -> role of every instance running now (the latest spawn of each), plus this cluster process. */
function roles(lines: readonly JsonLine[], clusterPid: number): Map<number, string> {
  const latest = new Map<string, number>();
  for (const l of lines)
    if (l.event === 'process' && l.kind === 'spawned') latest.set(l.instance as string, l.pid as number);
  const out = new Map<number, string>([[clusterPid, 'cluster']]);
  for (const [instance, pid] of latest) out.set(pid, instance.split('/')[0]);
  return out;
}

function sample(pids: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s !== undefined) out.set(pid, s);
  }
  return out;
}

/** Where the run is, on stderr: a run that stalls says at which step. */
function progress(text: string): void {
  process.stderr.write(`bench:e2e: ${text}\n`);
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), FLAGS);
  const caseFile = path.resolve(stringFlag(f, 'case') ?? casePath('case118'));
  const fps = numberFlag(f, 'fps', 30, 1, 240, true);
  const durationS = numberFlag(f, 'duration-s', 30, 1, 86_400);
  const buses = parseMatpowerCase(fs.readFileSync(caseFile, 'utf8'), caseFile).buses.length;
  const ingestPublish = stringFlag(f, 'ingest-publish') ?? 'member';
  if (ingestPublish !== 'member' && ingestPublish !== 'client')
    throw new BenchConfigError(`--ingest-publish must be member or client, got ${ingestPublish}`);
  const desired =
    ingestPublish === 'client'
      ? ['--desired-state', desiredStateWith('ingest', ['--vsync-publish', 'client'])]
      : [];
  const { process: cluster, portBase } = await startCluster([
    ...desired,
    '--case',
    caseFile,
    '--fps',
    String(fps),
  ]);
  const observer = new ResultsObserver(`127.0.0.1:${portBase}`, clusterSecret(String(cluster.lines[0].text)));
  try {
    progress(`cluster started (agent at 127.0.0.1:${portBase}); joining the results group`);
    await observer.join();
    progress('joined results; waiting for estimates to flow');
    await cluster.waitFor(
      (l) => l.event === 'status' && (l.estimatesPerS as number) > fps / 2,
      'estimates flowing',
      FLOWING_TIMEOUT_MS,
    );
    // Every join is a view change whose flush pauses delivery for a moment: measure once the last instance (the
    // dashboard boots slowest) has joined, and report any view change that still falls in the window.
    await observer.settled(SETTLED_QUIET_MS, SETTLED_TIMEOUT_MS);
    progress(`system view quiet for ${SETTLED_QUIET_MS} ms; measuring for ${durationS} s`);
    const roleOf = roles(cluster.lines, cluster.pid!);
    const status = (): JsonLine => cluster.lines.filter((l) => l.event === 'status').at(-1)!;
    const first = status();
    const linesBefore = cluster.lines.length;
    const startMs = Date.now();
    const before = sample(roleOf.keys());
    await sleep(durationS * 1000);
    const after = sample(roleOf.keys());
    const endMs = Date.now();
    const last = status();
    const inWindow = [...observer.estimated.entries()].filter(
      ([, e]) => e.arrivedMs >= startMs && e.arrivedMs < endMs,
    );
    const slots = inWindow.map(([slot]) => slot);
    const snapshotsByIngest = (last.snapshots as number) - (first.snapshots as number);
    const cpuByRole = cpuSecondsByRole(before, after, roleOf);
    const latencies = inWindow.map(([, e]) => e.arrivedMs - e.timeSec * 1000).sort((a, b) => a - b);
    // What happened to the cluster in the window (exits, restarts) goes to stderr, so a slow tail can be explained.
    for (const l of cluster.lines.slice(linesBefore))
      if (l.event === 'process' || l.event === 'cluster-event')
        process.stderr.write(`bench:e2e: ${JSON.stringify(l)}\n`);
    const result = {
      case: path.basename(caseFile),
      buses,
      pmus: last.pmus,
      fps,
      durationS,
      ingestPublish,
      // Reporting instants from the first to the last one estimated in the window (ingest releases one snapshot
      // per instant), and how many of them got a whole-system estimate.
      snapshots: slots.length === 0 ? 0 : Math.max(...slots) - Math.min(...slots) + 1,
      estimated: slots.length,
      snapshotsByIngest,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.length === 0 ? null : Math.round(latencies.at(-1)! * 10) / 10,
      viewChangesInWindow: observer.systemViewsAtMs.filter((t) => t >= startMs && t < endMs).length,
      restartsInWindow: (last.restarts as number) - (first.restarts as number),
      cpuPercent: scaled(cpuByRole, 100 / ((endMs - startMs) / 1000)),
      // CPU per frame does not depend on what else the machine runs: it is what proves a change to the path.
      cpuMsPerFrame: scaled(cpuByRole, 1000 / Math.max(1, snapshotsByIngest), 2),
      stagesMs: stageBreakdown(inWindow.map(([, e]) => e)),
      slowestPercentMeanMs: tailShare(inWindow.map(([, e]) => e)),
      loadAverage1m: os.loadavg()[0],
    };
    process.stdout.write(`${JSON.stringify(result, null, f.has('json') ? undefined : 2)}\n`);
  } finally {
    await observer.close().catch(() => undefined);
    cluster.child.kill('SIGINT');
    await cluster.exited;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:e2e: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof BenchConfigError ? 2 : 1);
});

/**
 * `npm run -s chaos -- [--duration-s 60] [--kill-interval-s 5] [--seed 1] [--case FILE.m] [--fps 30] --json`:
 * runs the embedded cluster while a random estimator is SIGKILLed every few seconds (the next only once the last
 * one rejoined) and the acting supervisor once, half-way; then checks that every snapshot ingest released got a
 * whole-system estimate. Prints {"snapshots","estimated","gaps","killed","restarted","maxRejoinMs",
 * "maxVoltageError"} (with --json, one line), exit 0 when there was no gap and every kill was restarted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { flagParser } from '@gridcloud/command-line';
import type { LocalProcess } from '@gridcloud/supervision';
import { tally, type ReleasedSnapshot } from './chaos-tally';
import { actingSupervisor, desiredStateWith, pidOf, sleep, startCluster } from './cluster-run';
import { clusterRunDir, clusterSecret, ResultsObserver } from './results-observer';

class ChaosConfigError extends Error {}
const { parseFlags, numberFlag, stringFlag } = flagParser((m) => new ChaosConfigError(m));
const FLAGS = ['duration-s', 'kill-interval-s', 'seed', 'case', 'fps', 'json'];
const ESTIMATORS = ['estimator/0', 'estimator/1', 'estimator/2'];
/** How long the cluster may take to bring estimates up, and a killed instance to rejoin. */
const FLOWING_TIMEOUT_MS = 180_000;
const REJOIN_TIMEOUT_MS = 60_000;
/** Results still in flight when the run ends are not gaps: the last this many seconds are not counted. */
const TAIL_S = 2;

interface Kill {
  readonly instance: string;
  readonly atLine: number;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function restartedAfter(cluster: LocalProcess, kill: Kill): Record<string, unknown> | undefined {
  return cluster.lines
    .slice(kill.atLine)
    .find((l) => l.event === 'cluster-event' && l.kind === 'restarted' && l.instance === kill.instance);
}

async function killAndAwait(cluster: LocalProcess, instance: string, kills: Kill[]): Promise<void> {
  const pid = pidOf(cluster, instance);
  if (pid === undefined) return;
  const kill = { instance, atLine: cluster.lines.length };
  process.kill(pid, 'SIGKILL');
  kills.push(kill);
  process.stderr.write(`chaos: SIGKILL ${instance} (pid ${pid})\n`);
  const deadline = Date.now() + REJOIN_TIMEOUT_MS;
  while (restartedAfter(cluster, kill) === undefined && Date.now() < deadline) await sleep(100);
}

function readSnapshots(file: string): ReleasedSnapshot[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ReleasedSnapshot)
    .map((s) => ({ slot: s.slot, timeSec: s.timeSec }));
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), FLAGS);
  const durationS = numberFlag(f, 'duration-s', 60, 5, 86_400);
  const intervalMs = numberFlag(f, 'kill-interval-s', 5, 0.5, 3600) * 1000;
  const random = seeded(numberFlag(f, 'seed', 1, 0, 2 ** 32 - 1, true));
  const fps = numberFlag(f, 'fps', 30, 1, 240, true);
  const casePath = stringFlag(f, 'case');
  const desired = desiredStateWith('ingest', ['--snapshots-out', '{var.runDir}/snapshots.jsonl']);
  const extra = [...(casePath === undefined ? [] : ['--case', casePath]), '--fps', String(fps)];
  const { process: cluster, portBase } = await startCluster(['--desired-state', desired, ...extra]);
  const runDir = clusterRunDir(String(cluster.lines[0].text));
  const observer = new ResultsObserver(`127.0.0.1:${portBase}`, clusterSecret(String(cluster.lines[0].text)));
  try {
    await observer.join();
    await cluster.waitFor(
      (l) => l.event === 'status' && (l.estimatesPerS as number) > fps / 2,
      'estimates flowing',
      FLOWING_TIMEOUT_MS,
    );
    const statusFrom = cluster.lines.length;
    const kills: Kill[] = [];
    const endAt = Date.now() + durationS * 1000;
    let supervisorKilled = false;
    while (Date.now() < endAt) {
      await sleep(intervalMs);
      if (!supervisorKilled && Date.now() > endAt - (durationS * 1000) / 2) {
        supervisorKilled = true;
        const acting = actingSupervisor(cluster);
        if (acting !== undefined) await killAndAwait(cluster, acting, kills);
        continue;
      }
      await killAndAwait(cluster, ESTIMATORS[Math.floor(random() * ESTIMATORS.length)], kills);
    }
    await sleep(TAIL_S * 1000);
    const released = readSnapshots(path.join(runDir, 'snapshots.jsonl'));
    const lastSlot = Math.max(...released.map((s) => s.slot)) - TAIL_S * fps;
    const t = tally(released, new Set(observer.estimated.keys()), lastSlot);
    const restarted = kills.map((k) => restartedAfter(cluster, k)).filter((e) => e !== undefined);
    const statuses = cluster.lines.slice(statusFrom).filter((l) => l.event === 'status');
    const result = {
      snapshots: t.snapshots,
      estimated: t.estimated,
      gaps: t.gaps,
      killed: kills.length,
      restarted: restarted.length,
      maxRejoinMs: Math.max(0, ...restarted.map((e) => e.rejoinMs as number)),
      maxVoltageError: Math.max(0, ...statuses.map((s) => (s.maxVoltageErrorPu as number | null) ?? 0)),
      rejoins: restarted.map((e) => ({ instance: e.instance, rejoinMs: e.rejoinMs })),
      gapSlots: t.gapSlots,
    };
    if (f.has('json')) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exitCode = result.gaps === 0 && result.restarted === result.killed ? 0 : 1;
  } finally {
    await observer.close().catch(() => undefined);
    cluster.child.kill('SIGINT');
    await cluster.exited;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ChaosConfigError ? 2 : 1);
});

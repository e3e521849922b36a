import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { LocalProcess, PROJECT_ROOT, type JsonLine } from '@gridcloud/supervision';

export const CLUSTER_ENTRY = 'apps/cluster/src/main.ts';
export const DEFAULT_DESIRED_STATE = path.join(PROJECT_ROOT, 'apps/cluster/desired-state.yaml');

/** Where the cluster's block of ports is picked from: below the ephemeral range, so few other sockets use it. */
const PORT_BASE_MIN = 20_000;
const PORT_BASE_SPAN = 10_000;
const MAX_PORT_TRIES = 5;

/**
 * The default desired state with extra arguments for one service (e.g. ingest's `--snapshots-out`), written to a
 * fresh directory; returns its path.
 */
export function desiredStateWith(service: string, extraArgs: readonly string[]): string {
  const doc = parseDocument(fs.readFileSync(DEFAULT_DESIRED_STATE, 'utf8'));
  for (const arg of extraArgs) doc.addIn(['services', service, 'args'], arg);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-run-'));
  const file = path.join(dir, 'desired-state.yaml');
  fs.writeFileSync(file, doc.toString());
  return file;
}

export interface RunningCluster {
  readonly process: LocalProcess;
  readonly portBase: number;
}

/** `npm start` with --json-status at a random --port-base, another one when a port is in use. */
export async function startCluster(args: readonly string[]): Promise<RunningCluster> {
  for (let attempt = 0; attempt < MAX_PORT_TRIES; attempt += 1) {
    const portBase = PORT_BASE_MIN + Math.floor(Math.random() * PORT_BASE_SPAN);
    const p = LocalProcess.tsx(CLUSTER_ENTRY, [...args, '--json-status', '--port-base', String(portBase)]);
    const first = await Promise.race([p.waitFor((l) => l.event === 'log', 'first line', 60_000), p.exit]);
    if ('code' in first && first.code === 2 && /is in use/.test(p.stderr)) continue;
    if ('code' in first) throw new Error(`the cluster did not start (exit ${first.code}): ${p.stderr}`);
    return { process: p, portBase };
  }
  throw new Error(`no free block of ports after ${MAX_PORT_TRIES} tries`);
}

/** The pid of the instance's latest process, from the agent's events. */
export function pidOf(cluster: LocalProcess, instance: string): number | undefined {
  const spawned = cluster.lines.filter(
    (l: JsonLine) => l.event === 'process' && l.kind === 'spawned' && l.instance === instance,
  );
  return spawned.at(-1)?.pid as number | undefined;
}

/** The instance of the supervisor acting now, from the role lines. */
export function actingSupervisor(cluster: LocalProcess): string | undefined {
  return cluster.lines.filter((l) => l.event === 'role' && l.acting === true).at(-1)?.instance as
    string | undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

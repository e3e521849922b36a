import { LocalProcess, type JsonLine } from '@gridcloud/supervision';

export const CLUSTER_ENTRY = 'apps/cluster/src/main.ts';

/** Ports the tests pick their cluster's block from: below the ephemeral range, so few other sockets use them. */
const PORT_BASE_MIN = 20_000;
const PORT_BASE_SPAN = 10_000;
const MAX_PORT_TRIES = 5;

/**
 * Starts `npm start`'s entry with --json-status at a random --port-base, trying another base when the cluster
 * reports a port in use (exit code 2 naming --port-base).
 */
export async function startCluster(args: readonly string[]): Promise<LocalProcess> {
  for (let attempt = 0; attempt < MAX_PORT_TRIES; attempt += 1) {
    const base = PORT_BASE_MIN + Math.floor(Math.random() * PORT_BASE_SPAN);
    const p = LocalProcess.tsx(CLUSTER_ENTRY, [...args, '--json-status', '--port-base', String(base)]);
    const first = await Promise.race([p.waitFor((l) => l.event === 'log', 'first line', 60_000), p.exit]);
    if ('code' in first && first.code === 2 && /is in use/.test(p.stderr)) continue;
    return p;
  }
  throw new Error(`no free block of ports after ${MAX_PORT_TRIES} tries`);
}

/** Every JSON line of `p` so far matching `test`. */
export function linesOf(p: LocalProcess, test: (l: JsonLine) => boolean): JsonLine[] {
  return p.lines.filter(test);
}

export const isClusterEvent =
  (kind: string, instance?: string) =>
  (l: JsonLine): boolean =>
    l.event === 'cluster-event' && l.kind === kind && (instance === undefined || l.instance === instance);

export const isSpawned =
  (instance: string) =>
  (l: JsonLine): boolean =>
    l.event === 'process' && l.kind === 'spawned' && l.instance === instance && l.alreadyRunning === false;

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

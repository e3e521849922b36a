import type { JsonLine, LocalProcess } from '@gridcloud/supervision';
import { startCluster as startAt } from '../../scripts/chaos/cluster-run';

export { CLUSTER_ENTRY } from '../../scripts/chaos/cluster-run';

/** `npm start`'s entry with --json-status at a free --port-base (see scripts/chaos/cluster-run.ts). */
export async function startCluster(args: readonly string[]): Promise<LocalProcess> {
  return (await startAt(args)).process;
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

/** SIGKILLs the instance's latest process and waits for the supervisors' `restarted` event (it rejoined its view);
 *  returns the event and the new process's pid. */
export async function killAndAwaitRestart(
  cluster: LocalProcess,
  instance: string,
  timeoutMs = 90_000,
): Promise<{ event: JsonLine; pid: number }> {
  process.kill(linesOf(cluster, isSpawned(instance)).at(-1)!.pid as number, 'SIGKILL');
  const event = await cluster.waitFor(
    isClusterEvent('restarted', instance),
    `${instance} rejoined`,
    timeoutMs,
  );
  return { event, pid: linesOf(cluster, isSpawned(instance)).at(-1)!.pid as number };
}

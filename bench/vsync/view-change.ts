/**
 * View changes after a crash: a cluster of member processes in the group, one SIGKILLed at a time, and for each kill
 * the time from the kill to the moment every survivor installed a view without the victim (the last survivor's
 * `view` event). Kills alternate between the oldest member (the membership service's leader, so a takeover is part
 * of the change) and a younger one; after each, a fresh member joins so every kill sees the same group size. The
 * figure includes failure detection, which is silence for `core.failureTimeoutMs`, reported beside it.
 */
import { BenchCluster, percentile, within, type ClusterSettings } from './cluster';

export interface ViewChangeFigures {
  readonly p50: number;
  readonly p99: number;
  readonly kills: number;
  readonly members: number;
  readonly failureTimeoutMs: number;
  /** Every kill's time, in kill order (even: the oldest member, odd: a younger one). */
  readonly samplesMs: number[];
}

export async function measureViewChanges(
  members: number,
  kills: number,
  settings: ClusterSettings,
): Promise<ViewChangeFigures> {
  const cluster = await BenchCluster.start(members, settings);
  try {
    await cluster.join();
    const samplesMs: number[] = [];
    for (let k = 0; k < kills; k += 1) {
      samplesMs.push(await killOne(cluster, k % 2 === 0 ? 0 : 1 + (k % (members - 1))));
      await cluster.addMember();
    }
    const sorted = [...samplesMs].sort((a, b) => a - b);
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      kills,
      members,
      failureTimeoutMs: settings.core.failureTimeoutMs,
      samplesMs,
    };
  } finally {
    await cluster.stop();
  }
}

/** Kills the member at `index` (age order) and resolves with the ms until every survivor's view excludes it. */
async function killOne(cluster: BenchCluster, index: number): Promise<number> {
  const victim = cluster.members[index];
  const gone = cluster.addressOf(victim);
  const survivors = cluster.members.filter((m) => m !== victim);
  const marks = survivors.map((m) => m.events.length);
  const killNs = cluster.kill(victim);
  const views = await within(
    'view change',
    Promise.all(
      survivors.map((m, i) =>
        m.next((e) => e.event === 'view' && !(e.members as string[]).includes(gone), marks[i]),
      ),
    ),
  );
  return Math.round((Math.max(...views.map((e) => e.atNs as number)) - killNs) / 1e3) / 1e3;
}

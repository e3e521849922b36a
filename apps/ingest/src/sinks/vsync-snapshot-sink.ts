import {
  CATALOG_MESSAGE,
  encodeCatalog,
  encodeSnapshot,
  SNAPSHOT_MESSAGE,
  type PmuCatalog,
} from '@gridcloud/estimation';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import type { Group, GroupClient } from '@gridcloud/vsync';
import { estimatorChannel, type EstimatorChannel } from './estimator-channel';
import { PmuCatalogTracker, type PmuDescriptions } from './pmu-catalog-tracker';
import type { Snapshot, SnapshotSink } from './snapshot-sink';

/** The handler ids of the `estimators/snapshot` and `estimators/catalog` messages (nest-vsync derives them from the names). */
export const SNAPSHOT_HANDLER = messageHandlerId(SNAPSHOT_MESSAGE);
export const CATALOG_HANDLER = messageHandlerId(CATALOG_MESSAGE);

/**
 * Multicasts every aligned snapshot to the estimator group (libs/vsync) with
 * FIFO `send`, binary-encoded (libs/estimation), so every member sees the
 * snapshots in time order and, by view synchrony, the same ones in each view.
 * Before a snapshot whose PMUs' configuration changed, and again after every
 * view change of the group, it sends the PMU catalog: FIFO from this one
 * sender plus view synchrony give a joiner the catalog before the next
 * snapshot. Sends still waiting on the group's flow control are bounded by
 * `maxSnapshotQueue`; past it, and before the group is joined, snapshots are
 * dropped and counted, never buffered without end (a catalog is never dropped).
 * Given a GroupClient (--vsync-publish client) it publishes the same way through a representative member: FIFO and
 * once per snapshot across a representative's failure (GroupClient.send), the catalog re-sent when the members change.
 */
export class VsyncSnapshotSink implements SnapshotSink {
  sent = 0;
  dropped = 0;
  sendErrors = 0;
  catalogsSent = 0;
  lastError: string | undefined;
  private joined = false;
  private readonly pending = new Set<Promise<void>>();
  private catalog: PmuCatalogTracker | undefined;

  private readonly group: EstimatorChannel;

  constructor(
    target: Group | GroupClient,
    private readonly maxSnapshotQueue: number,
  ) {
    this.group = estimatorChannel(target);
    this.group.onMembersChange(() => {
      if (this.catalog !== undefined && this.catalog.catalog.version > 0)
        this.sendCatalog(this.catalog.catalog);
    });
  }

  /** Where the PMU configurations come from (ingest's registry); without it no catalog is sent. */
  describePmusFrom(registry: PmuDescriptions): void {
    this.catalog = new PmuCatalogTracker(registry);
  }

  async join(): Promise<void> {
    await this.group.join();
    this.joined = true;
  }

  publish(snapshot: Snapshot): void {
    if (!this.joined) {
      this.dropped += 1;
      return;
    }
    const changed = this.catalog?.refresh(snapshot.values.map((v) => v.idcode));
    if (changed !== undefined) this.sendCatalog(changed);
    if (this.pending.size >= this.maxSnapshotQueue) {
      this.dropped += 1;
      return;
    }
    const bytes = encodeSnapshot(snapshot, this.catalog?.catalog.version ?? 0);
    this.track(this.group.send(SNAPSHOT_HANDLER, bytes), () => (this.sent += 1));
  }

  private sendCatalog(catalog: PmuCatalog): void {
    this.track(this.group.send(CATALOG_HANDLER, encodeCatalog(catalog)), () => (this.catalogsSent += 1));
  }

  private track(sending: Promise<void>, done: () => void): void {
    const tracked = sending.then(done, (error: unknown) => {
      this.sendErrors += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  async close(): Promise<void> {
    await Promise.all(this.pending);
    await this.group.close();
  }
}

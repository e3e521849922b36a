import type { Group } from '@gridcloud/vsync';
import { snapshotToJson, type Snapshot, type SnapshotSink } from './snapshot-sink';

/** The handler id under which snapshots are multicast to the estimator group. */
export const SNAPSHOT_HANDLER = 1;

/**
 * Multicasts every aligned snapshot to the estimator group (libs/vsync) with
 * FIFO `send`, so every member sees the snapshots in time order and, by view
 * synchrony, the same ones in each view. Sends still waiting on the group's
 * flow control are bounded by `maxSnapshotQueue`; past it, and before the
 * group is joined, snapshots are dropped and counted, never buffered without end.
 */
export class VsyncSnapshotSink implements SnapshotSink {
  sent = 0;
  dropped = 0;
  sendErrors = 0;
  lastError: string | undefined;
  private joined = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly group: Group,
    private readonly maxSnapshotQueue: number,
  ) {}

  async join(): Promise<void> {
    await this.group.join();
    this.joined = true;
  }

  publish(snapshot: Snapshot): void {
    if (!this.joined || this.pending.size >= this.maxSnapshotQueue) {
      this.dropped += 1;
      return;
    }
    const sending = this.group.send(SNAPSHOT_HANDLER, snapshotToJson(snapshot)).then(
      () => {
        this.sent += 1;
      },
      (error: unknown) => {
        this.sendErrors += 1;
        this.lastError = error instanceof Error ? error.message : String(error);
      },
    );
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  async close(): Promise<void> {
    await Promise.all(this.pending);
    await this.group.close();
  }
}

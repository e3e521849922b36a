import type { Snapshot, SnapshotSink } from './snapshot-sink';

export type SnapshotListener = (snapshot: Snapshot) => void;

/**
 * The in-process subscriber hook, and the fan-out to every configured sink.
 * A listener that throws is counted and does not stop the others.
 */
export class SnapshotHub implements SnapshotSink {
  listenerErrors = 0;
  private readonly listeners = new Set<SnapshotListener>();

  constructor(private readonly sinks: readonly SnapshotSink[] = []) {}

  /** Calls `listener` with every aligned snapshot; returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(snapshot: Snapshot): void {
    for (const sink of this.sinks) sink.publish(snapshot);
    for (const l of this.listeners) {
      try {
        l(snapshot);
      } catch {
        this.listenerErrors += 1;
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}

import {
  takesLateFrames,
  type LateFrame,
  type RawDataFrame,
  type Snapshot,
  type SnapshotSink,
} from './snapshot-sink';

export type SnapshotListener = (snapshot: Snapshot) => void;
export type LateFrameListener = (frame: LateFrame) => void;

/**
 * The in-process subscriber hook, and the fan-out to every configured sink.
 * A listener that throws is counted and does not stop the others.
 */
export class SnapshotHub implements SnapshotSink {
  listenerErrors = 0;
  private readonly listeners = new Set<SnapshotListener>();
  private readonly lateListeners = new Set<LateFrameListener>();

  /** Present only when a sink archives raw frames, so the pipeline copies no frame otherwise. */
  readonly publishFrame: ((frame: RawDataFrame) => void) | undefined;

  constructor(private readonly sinks: readonly SnapshotSink[] = []) {
    const archives = sinks.filter((s) => s.publishFrame !== undefined);
    if (archives.length > 0) this.publishFrame = (frame) => archives.forEach((s) => s.publishFrame!(frame));
  }

  /** Calls `listener` with every aligned snapshot; returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with every frame that missed its snapshot; returns the unsubscribe function. */
  subscribeLate(listener: LateFrameListener): () => void {
    this.lateListeners.add(listener);
    return () => this.lateListeners.delete(listener);
  }

  /** Whether a sink or a listener takes late frames. */
  get takesLate(): boolean {
    return this.lateListeners.size > 0 || this.sinks.some(takesLateFrames);
  }

  publishLate(frame: LateFrame): void {
    for (const sink of this.sinks) sink.publishLate?.(frame);
    for (const l of this.lateListeners) this.guard(() => l(frame));
  }

  publish(snapshot: Snapshot): void {
    for (const sink of this.sinks) sink.publish(snapshot);
    for (const l of this.listeners) this.guard(() => l(snapshot));
  }

  private guard(call: () => void): void {
    try {
      call();
    } catch {
      this.listenerErrors += 1;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}

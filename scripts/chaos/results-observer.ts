import { AREA_RESULT_MESSAGE, RESULTS_GROUP, ResultCollector, decodeAreaResult } from '@gridcloud/estimation';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { Group } from '@gridcloud/vsync';

/** Snapshot slots remembered at most (an hour at 30 frames/s). */
export const MAX_TRACKED_SLOTS = 108_000;

/**
 * A member of `results` that assembles every snapshot's estimate with libs/estimation's ResultCollector, as the
 * console does, and remembers which snapshot slots were estimated and when each estimate arrived.
 */
export class ResultsObserver {
  readonly collector = new ResultCollector();
  readonly estimated = new Map<number, { timeSec: number; arrivedMs: number }>();
  private readonly group: Group;

  constructor(agentAddress: string) {
    this.group = new Group(RESULTS_GROUP, {
      seeds: [agentAddress],
      founder: false,
      core: { failureTimeoutMs: 1500, heartbeatIntervalMs: 150 },
    });
    this.group.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => this.onResult(bytes));
  }

  join(): Promise<void> {
    return this.group.join();
  }

  close(): Promise<void> {
    return this.group.close();
  }

  private onResult(bytes: Uint8Array): void {
    const arrivedMs = Date.now();
    for (const e of this.collector.offer(decodeAreaResult(bytes))) {
      if (e.type !== 'assembled' || this.estimated.size >= MAX_TRACKED_SLOTS) continue;
      this.estimated.set(e.estimate.slot, { timeSec: e.estimate.timeSec, arrivedMs });
    }
  }
}

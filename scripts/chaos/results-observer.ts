import fs from 'node:fs';
import path from 'node:path';
import {
  AREA_RESULT_MESSAGE,
  RESULTS_GROUP,
  ResultCollector,
  decodeAreaResult,
  wallClockMs,
  type PathStamps,
} from '@gridcloud/estimation';
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
  /**
   * Per snapshot slot: its instant, when its estimate was complete here (wall clock, sub-millisecond), and the
   * path of the area result that completed it (the last one needed: the critical path), with its compute time.
   */
  readonly estimated = new Map<
    number,
    { timeSec: number; arrivedMs: number; stamps?: PathStamps; computeMs: number }
  >();
  /** When each system view was installed here (ms since the epoch), oldest first; bounded like the slots. */
  readonly systemViewsAtMs: number[] = [];
  private readonly group: Group;

  /** `secret`: the cluster's vsync secret (npm start keys every link; see clusterSecret). */
  constructor(agentAddress: string, secret?: string) {
    this.group = new Group(RESULTS_GROUP, {
      seeds: [agentAddress],
      founder: false,
      secret,
      core: { failureTimeoutMs: 1500, heartbeatIntervalMs: 150 },
    });
    this.group.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => this.onResult(bytes));
    this.group.process.onSystemView(() => {
      if (this.systemViewsAtMs.length < MAX_TRACKED_SLOTS) this.systemViewsAtMs.push(Date.now());
    });
  }

  /** Resolves once no system view was installed for `quietMs` (late joiners done), or rejects after `timeoutMs`. */
  async settled(quietMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.systemViewsAtMs.at(-1) ?? 0;
      if (Date.now() - last >= quietMs) return;
      if (Date.now() > deadline) throw new Error(`the system view kept changing for ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  join(): Promise<void> {
    return this.group.join();
  }

  close(): Promise<void> {
    return this.group.close();
  }

  private onResult(bytes: Uint8Array): void {
    const arrivedMs = wallClockMs();
    const result = decodeAreaResult(bytes);
    for (const e of this.collector.offer(result)) {
      if (e.type !== 'assembled' || this.estimated.size >= MAX_TRACKED_SLOTS) continue;
      this.estimated.set(e.estimate.slot, {
        timeSec: e.estimate.timeSec,
        arrivedMs,
        stamps: result.stamps,
        computeMs: result.computeMs,
      });
    }
  }
}

/** The run directory an npm start cluster names in its first line (`...; run directory DIR; ...`). */
export function clusterRunDir(firstLine: string): string {
  const runDir = /run directory ([^\s;]+)/.exec(firstLine)?.[1];
  if (runDir === undefined) throw new Error(`the cluster's first line names no run directory: ${firstLine}`);
  return runDir;
}

/** The vsync secret of an npm start cluster, from its run directory (`<run dir>/vsync.secret`): the cluster keys
 *  every link, so an observer needs it to join (without it the join would wait for ever). */
export function clusterSecret(firstLine: string): string {
  const file = path.join(clusterRunDir(firstLine), 'vsync.secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(
      `cannot read the cluster's vsync secret ${file}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
}

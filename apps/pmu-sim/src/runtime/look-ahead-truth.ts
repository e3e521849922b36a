import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { GridTruth, OperatingPoint, SolvedVoltages } from '../model/grid-truth';
import { keyBefore, keyText, sameKey, type TruthKey, type TruthSchedule } from '../model/truth-schedule';
import { solvingTruthSource, type TruthSource } from '../model/truth-source';
import type { TruthSolveReply, TruthSolveRequest, TruthWorkerMessage } from './truth-messages';

const WORKER_URL = new URL('./truth-worker.ts', import.meta.url);
const TSCONFIG_URL = new URL('../../../../tsconfig.json', import.meta.url);

/** How the look-ahead went: points found solved ahead, and keys solved late on the emitting thread. */
export interface LookAheadCounters {
  solvedAhead: number;
  solvedLate: number;
  workerFailures: number;
}

/**
 * Operating points solved ahead of the frames on a worker thread, so the emitting thread only encodes and writes.
 * It keeps at most `maxLookAheadPoints` keys requested or solved beyond the one in force (the next drift epochs and
 * trips, from the TruthSchedule). A key that is not ready when its first frame is due (the worker fell behind,
 * or failed, or the power flow diverged there) is solved on the emitting thread as before and counted: the frame
 * is late rather than wrong, and a trip still appears at its scheduled frame.
 */
export class LookAheadTruth implements TruthSource {
  readonly counters: LookAheadCounters = { solvedAhead: 0, solvedLate: 0, workerFailures: 0 };
  /** Settles once the worker has loaded (its first seconds are solved on the emitting thread). */
  readonly started: Promise<void>;
  private markStarted: () => void = () => undefined;
  /** Solved keys beyond the one in force, in time order (Map keeps insertion order). */
  private readonly ready = new Map<string, { key: TruthKey; solved: SolvedVoltages | undefined }>();
  private readonly fallback: TruthSource;
  private readonly worker: Worker;
  private current: TruthKey | undefined;
  private lastRequested: TruthKey | undefined;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly grid: GridTruth,
    private readonly schedule: TruthSchedule,
    private readonly maxLookAheadPoints: number,
  ) {
    if (!(Number.isInteger(maxLookAheadPoints) && maxLookAheadPoints >= 1))
      throw new RangeError(`maxLookAheadPoints must be an integer >= 1, got ${maxLookAheadPoints}`);
    this.fallback = solvingTruthSource(grid, schedule);
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.worker = startWorker(grid);
    this.worker.on('message', (m: TruthWorkerMessage) => {
      if ('ready' in m) this.markStarted();
      else this.onReply(m);
    });
    this.worker.on('error', () => {
      // Every key from here on is solved on the emitting thread; the frames stay right.
      this.counters.workerFailures += 1;
      this.closed = true;
      this.markStarted();
    });
    this.worker.unref();
  }

  pointFor(key: TruthKey): OperatingPoint {
    this.current = key;
    const solved = this.ready.get(keyText(key))?.solved;
    // Keys the frames skipped (shorter than a frame) or reached now are of no use any more.
    for (const [text, entry] of this.ready) if (!keyBefore(key, entry.key)) this.ready.delete(text);
    this.refill();
    if (solved !== undefined) {
      this.counters.solvedAhead += 1;
      return this.grid.pointOf(solved);
    }
    this.counters.solvedLate += 1;
    return this.fallback.pointFor(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  /** Keeps maxLookAheadPoints keys beyond the current one requested or ready. */
  private refill(): void {
    const current = this.current;
    if (this.closed || current === undefined) return;
    if (this.lastRequested === undefined || keyBefore(this.lastRequested, current))
      this.lastRequested = current;
    while (this.inFlight + this.ready.size < this.maxLookAheadPoints) {
      const key = this.schedule.next(this.lastRequested);
      const request: TruthSolveRequest = { key, ...this.schedule.requestOf(key) };
      this.worker.postMessage(request);
      this.inFlight += 1;
      this.lastRequested = key;
    }
  }

  private onReply(reply: TruthSolveReply): void {
    this.inFlight -= 1;
    const current = this.current;
    // A key the frames already passed (it was solved late) is of no use any more.
    const stale = current !== undefined && (keyBefore(reply.key, current) || sameKey(reply.key, current));
    if (!stale)
      this.ready.set(keyText(reply.key), {
        key: reply.key,
        solved: 'solved' in reply ? reply.solved : undefined,
      });
    this.refill();
  }
}

/**
 * The worker runs TypeScript sources under tsx's loader, registered inside the thread: the process itself may run
 * a bundle on Node's own loader (the cluster bundles entries), and the bundle does not hold the worker's module.
 */
function startWorker(grid: GridTruth): Worker {
  const tsxApi = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/index\.cjs$/, 'index.mjs');
  const code = [
    `import(${JSON.stringify(new URL(`file://${tsxApi}`).href)})`,
    `.then((tsx) => { tsx.register({ tsconfig: ${JSON.stringify(TSCONFIG_URL.pathname)} });`,
    `return import(${JSON.stringify(WORKER_URL.href)}); });`,
  ].join('');
  return new Worker(code, { eval: true, workerData: { powerCase: grid.powerCase } });
}

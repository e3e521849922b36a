import {
  type ProcessId,
  sameProcess,
  type TransferEffect,
  type TransferInput,
  TransferPlan,
  type View,
} from '../../protocol';
import { parseAddress } from '../../transport';
import type { Delivery } from '../group-endpoint';
import { decodeGroupCall, encodeGroupCall } from '../group-payload';
import { readU32 } from '../plain-args-codec';
import type { VsyncProcess } from '../vsync-process';
import { discardSpool, spoolCheckpoint, type SpooledCheckpoint } from './checkpoint-spool';
import {
  newestValidCheckpoint,
  readCheckpointFile,
  writeCheckpointFile,
  type CheckpointFile,
} from './checkpoint-files';
import { sendCheckpoint } from './state-sender';
import { StateReceiver } from './state-receiver';
import {
  StateBufferOverflowError,
  StateTransferError,
  StateTransferRestartedError,
} from './state-transfer-error';
import {
  resolveStateTransferOptions,
  type ResolvedStateTransferOptions,
  type StateTransferOptions,
  type StateTransferProgress,
} from './state-transfer-options';
import { streamKey } from './stream-format';

/** Handler id of the transfer's control messages ('requested', 'loaded'); applications cannot register it. */
export const STATE_CONTROL_HANDLER_ID = 0xffff_ffff;

/** How often a sender looks again for a checkpoint that is due but not made yet. */
const SPOOL_POLL_MS = 10;

/** What the group does with the events this shell releases, in order. */
export interface GroupSink {
  deliverNow(delivery: Delivery): void;
  viewNow(view: View): void;
  fail(error: Error): void;
}

type GroupEvent =
  | { readonly kind: 'deliver'; readonly delivery: Delivery }
  | { readonly kind: 'view'; readonly view: View }
  | { readonly kind: 'checkpoint'; readonly viewId: number };

interface Loading {
  readonly viewId: number;
  readonly buffered: GroupEvent[];
  bufferedBytes: number;
  readonly done: Promise<void>;
  /** Aborted (with the error) when this load is given up: its loadCheckpoint call must change the state no further. */
  readonly abort: AbortController;
  /** Ends the load; a failed one leaves the group unless `leave` is false (a new incarnation loads again). */
  settle(error?: Error, leave?: boolean): void;
}

/**
 * The runtime shell of join with state transfer for one group: it feeds the group's views and control messages to
 * the pure TransferPlan and carries out its effects (checkpoint spools, the joiner's endpoint, streams), holds a
 * loading joiner's deliveries back (at most maxBufferedBytes) and writes and loads checkpoint files.
 */
export class GroupStateTransfer {
  readonly options: ResolvedStateTransferOptions;
  private plan: TransferPlan | undefined;
  private loading: Loading | undefined;
  /** Events held back while a checkpoint waits for the handlers of earlier deliveries to settle. */
  private held: GroupEvent[] | undefined;
  private receiver: StateReceiver | undefined;
  private endpoint: Promise<string> | undefined;
  private readonly spools = new Map<number, Promise<SpooledCheckpoint>>();
  /** Checkpoints the plan asked for that are not made yet (bounded by the plan's maxOpenTransfers). */
  private readonly dueCheckpoints = new Set<number>();
  /** The stream key, derived when first needed: the process's secret may be set (setSecure) after this. */
  private derivedKey: Buffer | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<CheckpointFile | undefined> | undefined;
  private closed = false;
  /** The last loadCheckpoint call, given up or not: the next one starts once it returned, so two calls never change
   *  the application's state at once (a call given up runs on until it notices its abort signal). */
  private lastLoad: Promise<void> = Promise.resolve();
  /** loadCheckpoint calls started and not yet returned. */
  private loadsRunning = 0;

  constructor(
    private readonly group: string,
    private readonly process: VsyncProcess,
    options: StateTransferOptions,
    private readonly sink: GroupSink,
  ) {
    this.options = resolveStateTransferOptions(options);
    if (this.options.checkpointDir !== undefined && this.options.checkpointIntervalMs > 0) {
      this.timer = setInterval(() => void this.periodicCheckpoint(), this.options.checkpointIntervalMs);
      this.timer.unref();
    }
  }

  /** Resolves once this member holds the group's state (at once when it is not loading). A load given up because
   *  this process rejoined as a new incarnation is followed by that incarnation's load, which it waits for. */
  async ready(): Promise<void> {
    for (;;) {
      const loading = this.loading;
      if (loading === undefined) return;
      try {
        return await loading.done;
      } catch (error) {
        if (!(error instanceof StateTransferRestartedError) || this.closed) throw error;
      }
    }
  }

  get isLoading(): boolean {
    return this.loading !== undefined;
  }

  onView(view: View): void {
    const self = this.process.self;
    // A new incarnation (after an exclusion) is a new member with a plan of its own.
    if (this.plan === undefined || !sameProcess(this.planSelf!, self)) this.resetPlan(self);
    const effects = this.plan!.step({ type: 'view', view });
    this.emit({ kind: 'view', view });
    this.perform(effects);
    // A load given up still running (it has not noticed its abort yet): what follows waits until it returned.
    if (this.loading === undefined && this.loadsRunning > 0)
      this.startLoading(view.id, () => Promise.resolve());
  }

  /** This incarnation was excluded. Rejoining, the load in progress is aborted now (StateTransferRestartedError), so
   *  the requests refused next do not fail it, and it stays pending until the new incarnation's first view. */
  onExcluded(rejoining: boolean): void {
    if (rejoining) this.loading?.abort.abort(new StateTransferRestartedError(this.group));
  }

  onDelivery(delivery: Delivery): void {
    const payload = delivery.payload;
    if (payload.length >= 4 && readU32(payload, 0) === STATE_CONTROL_HANDLER_ID)
      return this.onControl(delivery);
    this.emit({ kind: 'deliver', delivery });
  }

  /** Writes a checkpoint file now (needs checkpointDir); resolves with the file, undefined while loading. */
  async saveCheckpoint(): Promise<CheckpointFile | undefined> {
    const dir = this.options.checkpointDir;
    if (dir === undefined) throw new StateTransferError('saveCheckpoint needs the checkpointDir option');
    if (this.loading !== undefined) return undefined;
    const chunks = this.options.makeCheckpoint();
    const { keptCheckpoints, maxCheckpointBytes } = this.options;
    const previous = this.saving ?? Promise.resolve(undefined);
    const next = previous
      .catch(() => undefined)
      .then(() => writeCheckpointFile(dir, this.group, chunks, keptCheckpoints, maxCheckpointBytes));
    this.saving = next;
    const clear = (): void => {
      if (this.saving === next) this.saving = undefined;
    };
    next.then(clear, clear);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.loading?.settle(new StateTransferError('the group was closed while loading its state'));
    await this.receiver?.close();
    for (const viewId of [...this.spools.keys()]) this.discard(viewId);
  }

  private planSelf: ProcessId | undefined;

  /** The state transfer's own secret option, else the group's secret (setSecure), else the process's system secret:
   *  a secured group's stream is proven with its group key, a keyed system's with the system key. */
  private get key(): Buffer | null {
    const secret = this.options.secret ?? this.process.groupSecret(this.group) ?? this.process.systemSecret;
    this.derivedKey ??= streamKey(secret, this.group);
    return this.derivedKey;
  }

  private resetPlan(self: ProcessId): void {
    for (const viewId of [...this.spools.keys()]) this.discard(viewId);
    this.dueCheckpoints.clear();
    this.loading?.settle(new StateTransferRestartedError(this.group), false);
    this.planSelf = self;
    const { replicas, maxOpenTransfers } = this.options;
    this.plan = new TransferPlan(self, { replicas, maxOpenTransfers });
  }

  private onControl(delivery: Delivery): void {
    let input: TransferInput;
    try {
      const [kind, viewId, endpoint] = decodeGroupCall(delivery.payload).args as [string, number, string];
      if (kind === 'requested' && typeof endpoint === 'string')
        input = { type: 'requested', viewId, joiner: delivery.sender, endpoint };
      else if (kind === 'loaded') input = { type: 'loaded', viewId, joiner: delivery.sender };
      else throw new Error(`unknown control message '${String(kind)}'`);
    } catch (error) {
      return this.sink.fail(
        new StateTransferError(`a state-transfer control message is malformed: ${String(error)}`),
      );
    }
    if (this.plan !== undefined) this.perform(this.plan.step(input));
  }

  private perform(effects: readonly TransferEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'makeCheckpoint':
          this.dueCheckpoints.add(effect.viewId);
          this.emit({ kind: 'checkpoint', viewId: effect.viewId });
          break;
        case 'awaitState':
          this.startLoading(effect.viewId, (signal) => this.loadFromMember(effect.viewId, signal));
          break;
        case 'startFresh':
          if (this.options.checkpointDir !== undefined)
            this.startLoading(effect.viewId, (signal) => this.loadFromFile(effect.viewId, signal));
          break;
        case 'serve':
          void this.serve(effect.viewId, effect.endpoint);
          break;
        case 'discardCheckpoint':
          this.discard(effect.viewId);
          break;
        case 'stateLost':
          if (this.loading?.viewId === effect.viewId)
            this.loading.settle(
              new StateTransferError(
                `every member holding the state of view ${effect.viewId} left; this member left the group: join again`,
              ),
            );
          break;
      }
    }
  }

  /** Deliveries, views and checkpoint points reach the application in order; while loading they wait. */
  private emit(event: GroupEvent): void {
    const loading = this.loading;
    if (loading === undefined && this.held !== undefined) return void this.held.push(event);
    if (loading === undefined) return this.apply(event);
    loading.buffered.push(event);
    if (event.kind === 'deliver') loading.bufferedBytes += event.delivery.payload.length;
    if (loading.bufferedBytes > this.options.maxBufferedBytes)
      loading.settle(new StateBufferOverflowError(this.group, this.options.maxBufferedBytes));
  }

  private apply(event: GroupEvent): void {
    if (event.kind === 'deliver') return this.sink.deliverNow(event.delivery);
    if (event.kind === 'view') return this.sink.viewNow(event.view);
    // Handlers may finish asynchronously (a NestJS @EventPattern handler runs a few microtasks after its delivery):
    // the checkpoint is taken once the microtask queue has drained, and what the group delivers meanwhile waits.
    this.held = [];
    setImmediate(() => {
      this.makeSpool(event.viewId);
      const held = this.held ?? [];
      this.held = undefined;
      for (const later of held) this.emit(later);
    });
  }

  private makeSpool(viewId: number): void {
    if (!this.dueCheckpoints.delete(viewId)) return; // discarded before it was due
    let chunks;
    try {
      chunks = this.options.makeCheckpoint();
    } catch (error) {
      return this.sink.fail(new StateTransferError(`the checkpoint callback threw: ${String(error)}`));
    }
    const name = `${encodeURIComponent(this.group)}-${process.pid}-${viewId}-${Date.now()}`;
    const { spoolDir: dir, maxCheckpointBytes, memorySpoolBytes } = this.options;
    const spool = spoolCheckpoint(chunks, { dir, name, maxCheckpointBytes, memorySpoolBytes });
    spool.catch((error: Error) => this.sink.fail(error));
    this.spools.set(viewId, spool);
  }

  private discard(viewId: number): void {
    this.dueCheckpoints.delete(viewId);
    const spool = this.spools.get(viewId);
    this.spools.delete(viewId);
    spool?.then(discardSpool, () => undefined).catch(() => undefined);
  }

  private async serve(viewId: number, endpoint: string): Promise<void> {
    for (let attempt = 1; attempt <= this.options.serveAttempts && !this.closed; attempt++) {
      try {
        const spool = await this.waitForSpool(viewId);
        if (spool === undefined) return;
        await sendCheckpoint({
          group: this.group,
          viewId,
          spool,
          endpoint,
          key: this.key,
          handshakeTimeoutMs: this.options.handshakeTimeoutMs,
          chunkBytes: this.options.chunkBytes,
          onProgress: (bytes, totalBytes) => this.progress('send', viewId, bytes, totalBytes),
        });
        return; // sent, or refused: the joiner no longer waits for it
      } catch (error) {
        // A broken stream is retried: the joiner answers with the offset it reached.
        // The transfer ended meanwhile (the joiner loaded the state or left): nothing is owed any more.
        if (!this.spools.has(viewId)) return;
        if (attempt === this.options.serveAttempts) return this.sink.fail(error as Error);
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      }
    }
  }

  /** The spool of a view. It may not be made yet: a member still loading makes it when its replay reaches that
   *  view, and any member once earlier handlers settled; so it waits while the checkpoint is still due. */
  private async waitForSpool(viewId: number): Promise<SpooledCheckpoint | undefined> {
    while (!this.closed) {
      const spool = this.spools.get(viewId);
      if (spool !== undefined) return spool;
      if (!this.dueCheckpoints.has(viewId)) return undefined;
      if (this.loading !== undefined) await this.loading.done.catch(() => undefined);
      else await new Promise((resolve) => setTimeout(resolve, SPOOL_POLL_MS));
    }
    return undefined;
  }

  private startLoading(viewId: number, load: (signal: AbortSignal) => Promise<void>): void {
    let settle!: (error?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    done.catch(() => undefined);
    const abort = new AbortController();
    const loading: Loading = {
      viewId,
      buffered: [],
      bufferedBytes: 0,
      done,
      abort,
      settle: (error, leave = true) => this.finishLoading(loading, settle, error, leave),
    };
    this.loading = loading;
    this.loadsRunning++;
    const run = this.lastLoad.then(() => {
      abort.signal.throwIfAborted();
      return load(abort.signal);
    });
    this.lastLoad = run.then(
      () => void this.loadsRunning--,
      () => void this.loadsRunning--,
    );
    // Aborted for a rejoin, the load is settled by the new incarnation's first view (or close), not by its outcome.
    const restarted = (): boolean => abort.signal.reason instanceof StateTransferRestartedError;
    run.then(
      () => restarted() || loading.settle(),
      (error: Error) =>
        restarted() || loading.settle(error instanceof Error ? error : new StateTransferError(String(error))),
    );
  }

  /** Loaded: release what waited, in order. Failed: abort the load, drop what waited, leave the group (the others
   *  hold everything) unless a new incarnation loads again, report. */
  private finishLoading(
    loading: Loading,
    settle: (error?: Error) => void,
    error: Error | undefined,
    leave: boolean,
  ): void {
    if (this.loading !== loading) return;
    this.loading = undefined;
    if (error !== undefined) {
      loading.abort.abort(error);
      this.receiver?.cancel(error);
      this.sink.fail(error);
      if (leave && !this.closed) this.process.leave(this.group).catch(() => undefined);
      return settle(error);
    }
    // Replayed through emit: a checkpoint point among them holds what follows it, as it would have live.
    for (const event of loading.buffered) this.emit(event);
    settle();
  }

  private async loadFromMember(viewId: number, signal: AbortSignal): Promise<void> {
    const endpoint = await this.stateEndpoint();
    signal.throwIfAborted();
    const incoming = this.receiver!.expect(this.group, viewId);
    await this.control(['requested', viewId, endpoint]);
    await this.options.loadCheckpoint(incoming, signal);
    signal.throwIfAborted();
    await this.control(['loaded', viewId]);
  }

  private async loadFromFile(viewId: number, signal: AbortSignal): Promise<void> {
    const file = await newestValidCheckpoint(this.options.checkpointDir!, this.group, (path, why) =>
      this.sink.fail(new StateTransferError(`checkpoint file ${path} skipped: ${why}`)),
    );
    if (file === undefined) return;
    const chunks = readCheckpointFile(file, this.options.chunkBytes);
    let bytes = 0;
    const counted = async function* (this: GroupStateTransfer): AsyncIterable<Uint8Array> {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        this.progress('file', viewId, bytes, file.totalBytes);
        yield chunk;
      }
    }.call(this);
    await this.options.loadCheckpoint(counted, signal);
  }

  private control(args: unknown[]): Promise<void> {
    return this.process.multicast(this.group, 'fifo', encodeGroupCall(STATE_CONTROL_HANDLER_ID, args));
  }

  private stateEndpoint(): Promise<string> {
    this.endpoint ??= (async () => {
      const advertiseHost = parseAddress(this.process.self.address).host;
      this.receiver = new StateReceiver({
        bindHost: this.options.bindHost ?? advertiseHost,
        advertiseHost,
        key: this.key,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs,
        receiveQueueBytes: this.options.receiveQueueBytes,
        maxCheckpointBytes: this.options.maxCheckpointBytes,
        onProgress: (bytes, total) => this.progress('receive', this.loading?.viewId ?? 0, bytes, total),
        onRejected: (error) => this.sink.fail(error),
      });
      return this.receiver.listen();
    })();
    return this.endpoint;
  }

  private progress(
    direction: StateTransferProgress['direction'],
    viewId: number,
    bytes: number,
    total: number,
  ): void {
    const percent = total === 0 ? 100 : Math.floor((bytes / total) * 1000) / 10;
    try {
      this.options.onProgress?.({ direction, viewId, bytes, totalBytes: total, percent });
    } catch (error) {
      this.sink.fail(new StateTransferError(`the onProgress callback threw: ${String(error)}`));
    }
  }

  private async periodicCheckpoint(): Promise<void> {
    if (this.saving !== undefined || this.loading !== undefined || this.plan === undefined) return;
    try {
      await this.saveCheckpoint();
    } catch (error) {
      this.sink.fail(error as Error);
    }
  }
}

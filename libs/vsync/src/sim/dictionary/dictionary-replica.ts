import { type TransferEffect, TransferPlan, type ProcessId, type View } from '../../protocol';

/** The state of the replicated dictionary: its entries and the ids of the updates applied to it. Equal replicas have
 *  equal digests; the applied ids make a lost or doubled update visible even when it wrote an equal value. */
export interface DictionarySnapshot {
  readonly entries: ReadonlyArray<readonly [string, string]>;
  readonly applied: readonly string[];
  readonly digest: string;
}

export type ReplicaEvent =
  | { readonly kind: 'update'; readonly id: string }
  | { readonly kind: 'view'; readonly view: View; readonly boundary: boolean }
  | { readonly kind: 'checkpoint'; readonly viewId: number };

export interface ReplicaHooks {
  /** A view boundary this replica passed holding the state: its digest there. */
  boundary(viewId: number, digest: string): void;
  /** An update applied a second time. */
  doubled(id: string): void;
  perform(effects: readonly TransferEffect[]): void;
}

/** What a LOOKUP of the key an update writes reads back: the update's id (the value written). */
export function keyOf(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return `k${Math.abs(h) % 7}`;
}

/**
 * One incarnation's replica of the UPDATE/LOOKUP dictionary in the simulator, with the runtime's state-transfer
 * rules: the pure TransferPlan decides, a checkpoint is taken where the event stream reaches its view boundary, and a
 * loading joiner holds its events back until the state arrives.
 */
export class DictionaryReplica {
  readonly plan: TransferPlan;
  private entries = new Map<string, string>();
  private applied = new Set<string>();
  /** Events held back while loading; null when not loading. */
  buffered: ReplicaEvent[] | null = null;
  loadingView: number | null = null;
  /** Digest of the checkpoint a loading joiner started receiving (a resumed stream must carry the same). */
  receivingDigest: string | null = null;
  receivedChunks = 0;
  /** Out of the group (its state was lost, it left): events are ignored until it joins again. */
  detached = false;
  readonly spools = new Map<number, DictionarySnapshot>();

  constructor(
    readonly self: ProcessId,
    replicas: number,
    private readonly hooks: ReplicaHooks,
  ) {
    this.plan = new TransferPlan(self, { replicas, maxOpenTransfers: 8 });
  }

  get loading(): boolean {
    return this.buffered !== null;
  }

  onView(view: View): void {
    const effects = this.plan.step({ type: 'view', view });
    const joining = effects.some((e) => e.type === 'awaitState' || e.type === 'startFresh');
    if (joining) this.detached = false;
    this.emit({ kind: 'view', view, boundary: !effects.some((e) => e.type === 'awaitState') });
    for (const e of effects) {
      if (e.type === 'makeCheckpoint') this.emit({ kind: 'checkpoint', viewId: e.viewId });
      if (e.type === 'awaitState') this.startLoading(e.viewId);
    }
    this.hooks.perform(effects);
  }

  onUpdate(id: string): void {
    this.emit({ kind: 'update', id });
  }

  snapshot(): DictionarySnapshot {
    const entries = [...this.entries].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const applied = [...this.applied].sort();
    return { entries, applied, digest: JSON.stringify([entries, applied]) };
  }

  lookup(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** The whole checkpoint arrived: it replaces the state, which is the state at the joined view's boundary; then
   *  the events held back are applied in order. */
  load(snapshot: DictionarySnapshot): void {
    this.entries = new Map(snapshot.entries.map(([k, v]) => [k, v]));
    this.applied = new Set(snapshot.applied);
    this.hooks.boundary(this.loadingView!, this.snapshot().digest);
    const held = this.buffered ?? [];
    this.buffered = null;
    this.loadingView = null;
    for (const event of held) this.apply(event);
  }

  /** The state cannot be had (every holder left): drop it and stay out until the next join. */
  detach(): void {
    this.buffered = null;
    this.loadingView = null;
    this.detached = true;
    this.spools.clear();
  }

  private startLoading(viewId: number): void {
    this.buffered = [];
    this.loadingView = viewId;
    this.receivingDigest = null;
    this.receivedChunks = 0;
  }

  private emit(event: ReplicaEvent): void {
    if (this.detached) return;
    if (this.buffered !== null) this.buffered.push(event);
    else this.apply(event);
  }

  private apply(event: ReplicaEvent): void {
    if (event.kind === 'checkpoint') return void this.spools.set(event.viewId, this.snapshot());
    if (event.kind === 'view') {
      if (event.boundary) this.hooks.boundary(event.view.systemViewId, this.snapshot().digest);
      return;
    }
    if (this.applied.has(event.id)) return this.hooks.doubled(event.id);
    this.applied.add(event.id);
    this.entries.set(keyOf(event.id), event.id);
  }
}

import { assert } from '../errors/invariant-error';
import { type ProcessId, processKey, sameProcess } from '../process-id';
import type { View } from '../view';

/** What the planner is told, in the order the group delivers it at this member: group views, and the two control
 *  messages every joiner multicasts in the group (`requested` once it listens for the state, `loaded` once it has
 *  it). Every member sees the same views and, between two views, the same set of control messages, so every member
 *  reaches the same decisions. */
export type TransferInput =
  | { readonly type: 'view'; readonly view: View }
  | {
      readonly type: 'requested';
      readonly viewId: number;
      readonly joiner: ProcessId;
      /** Where the joiner listens for the state stream ("host:port"). */
      readonly endpoint: string;
    }
  | { readonly type: 'loaded'; readonly viewId: number; readonly joiner: ProcessId };

/** What this member must do. `viewId` names the view boundary the checkpoint belongs to. */
export type TransferEffect =
  /** Capture the state as of this view boundary (before any delivery of the view) and keep it for joiners. */
  | { readonly type: 'makeCheckpoint'; readonly viewId: number }
  /** This member joined a group that has members: hold deliveries until the state is loaded; ask for it. */
  | { readonly type: 'awaitState'; readonly viewId: number }
  /** This member joined a group with no other member: nothing to receive (a checkpoint file may be loaded). */
  | { readonly type: 'startFresh'; readonly viewId: number }
  /** Stream the checkpoint of `viewId` to a joiner, from the offset it reports. */
  | {
      readonly type: 'serve';
      readonly viewId: number;
      readonly joiner: ProcessId;
      readonly endpoint: string;
    }
  /** Nobody can ask for the checkpoint of `viewId` any more: free it. */
  | { readonly type: 'discardCheckpoint'; readonly viewId: number }
  /** Every member holding the state this member waits for has left: it cannot be loaded. */
  | { readonly type: 'stateLost'; readonly viewId: number };

export interface TransferPlanConfig {
  /** How many of the oldest surviving members keep each checkpoint: the sender and the members a transfer resumes
   *  from when the sender fails. */
  readonly replicas: number;
  /** Transfers tracked at once (views whose joiners have not all loaded); beyond it the oldest is given up. */
  readonly maxOpenTransfers: number;
}

export const DEFAULT_TRANSFER_PLAN: TransferPlanConfig = { replicas: 3, maxOpenTransfers: 16 };

interface JoinerState {
  readonly joiner: ProcessId;
  endpoint: string | null;
  /** The replica last told to serve this joiner, so a view change re-assigns only when that replica left. */
  servedBy: ProcessId | null;
}

/** One view boundary whose joiners are loading the state. */
interface OpenTransfer {
  readonly viewId: number;
  /** The old members (oldest first) that keep the checkpoint; the first one still in the group sends it. */
  replicas: ProcessId[];
  readonly joiners: Map<string, JoinerState>;
}

/**
 * Decides, at one member, who sends which checkpoint to which joiner: a pure state machine (`step(input) ->
 * effects`) fed by the group's views and control messages. When a view adds members to a group that already had
 * some, the oldest `replicas` old members checkpoint at that view boundary; the oldest of them still present sends it
 * to each joiner that asked; when it fails, the next one resumes the stream. A transfer ends when its joiners loaded
 * the state or left.
 */
export class TransferPlan {
  private readonly open = new Map<number, OpenTransfer>();
  private out: TransferEffect[] = [];

  constructor(
    private readonly self: ProcessId,
    private readonly config: TransferPlanConfig = DEFAULT_TRANSFER_PLAN,
  ) {
    assert(config.replicas >= 1 && config.maxOpenTransfers >= 1, 'transfer plan bounds must be positive');
  }

  /** View ids of the transfers still open, oldest first (for observers and tests). */
  get openTransfers(): number[] {
    return [...this.open.keys()];
  }

  step(input: TransferInput): TransferEffect[] {
    this.out = [];
    if (input.type === 'view') this.onView(input.view);
    else if (input.type === 'requested') this.onRequested(input.viewId, input.joiner, input.endpoint);
    else this.onLoaded(input.viewId, input.joiner);
    return this.out;
  }

  private onView(view: View): void {
    for (const transfer of [...this.open.values()]) this.followView(transfer, view);
    if (view.joined.length === 0 || !view.includes(this.self)) return;
    const old = view.members.filter((m) => !view.joined.some((j) => sameProcess(j, m)));
    if (old.length === 0) {
      if (view.joined.some((j) => sameProcess(j, this.self)))
        this.out.push({ type: 'startFresh', viewId: view.systemViewId });
      return;
    }
    this.openTransfer(view, old);
  }

  private openTransfer(view: View, old: readonly ProcessId[]): void {
    if (this.open.size >= this.config.maxOpenTransfers) this.close(this.open.values().next().value!);
    const joiners = new Map<string, JoinerState>();
    for (const j of view.joined) joiners.set(processKey(j), { joiner: j, endpoint: null, servedBy: null });
    const transfer: OpenTransfer = {
      viewId: view.systemViewId,
      replicas: old.slice(0, this.config.replicas),
      joiners,
    };
    this.open.set(view.systemViewId, transfer);
    if (this.isReplica(transfer)) this.out.push({ type: 'makeCheckpoint', viewId: view.systemViewId });
    if (joiners.has(processKey(this.self))) this.out.push({ type: 'awaitState', viewId: view.systemViewId });
  }

  /** A later view: joiners that left are forgotten, replicas that left are replaced by the next one. */
  private followView(transfer: OpenTransfer, view: View): void {
    for (const [key, j] of transfer.joiners) if (!view.includes(j.joiner)) transfer.joiners.delete(key);
    transfer.replicas = transfer.replicas.filter((r) => view.includes(r));
    if (transfer.joiners.size === 0 || transfer.replicas.length === 0) return this.close(transfer);
    for (const j of transfer.joiners.values()) this.assign(transfer, j);
  }

  private onRequested(viewId: number, joiner: ProcessId, endpoint: string): void {
    const transfer = this.open.get(viewId);
    const state = transfer?.joiners.get(processKey(joiner));
    if (transfer === undefined || state === undefined || !sameProcess(state.joiner, joiner)) return;
    state.endpoint = endpoint;
    this.assign(transfer, state);
  }

  private onLoaded(viewId: number, joiner: ProcessId): void {
    const transfer = this.open.get(viewId);
    if (transfer === undefined) return;
    transfer.joiners.delete(processKey(joiner));
    if (transfer.joiners.size === 0) this.close(transfer);
  }

  /** The sender of a joiner's state is the oldest replica still present; it is told once per (joiner, sender). */
  private assign(transfer: OpenTransfer, j: JoinerState): void {
    const sender = transfer.replicas[0];
    if (j.endpoint === null || sender === undefined) return;
    if (j.servedBy !== null && sameProcess(j.servedBy, sender)) return;
    j.servedBy = sender;
    if (sameProcess(sender, this.self)) {
      this.out.push({ type: 'serve', viewId: transfer.viewId, joiner: j.joiner, endpoint: j.endpoint });
    }
  }

  private close(transfer: OpenTransfer): void {
    this.open.delete(transfer.viewId);
    if (this.isReplica(transfer)) this.out.push({ type: 'discardCheckpoint', viewId: transfer.viewId });
    if (transfer.joiners.has(processKey(this.self)))
      this.out.push({ type: 'stateLost', viewId: transfer.viewId });
  }

  private isReplica(transfer: OpenTransfer): boolean {
    return transfer.replicas.some((r) => sameProcess(r, this.self));
  }
}

import type { InstanceSpec } from '../desired-state/instance-layout';
import type { ProcessEvent } from './agent-messages';
import { CONFIG_ERROR_EXIT_CODE, type ClusterEvent } from './cluster-event';
import { backoffMs, restartsInWindow } from './restart-budget';
import type { RestartHistory } from './restart-history';

/** A process as the system view shows it: its vsync address and incarnation. */
export interface ObservedMember {
  readonly address: string;
  readonly incarnation: number;
}

/** The part of a vsync system view the supervisor reads: every group's members. */
export interface ObservedView {
  readonly groups: readonly { readonly name: string; readonly members: readonly ObservedMember[] }[];
}

export type SupervisorInput =
  | { readonly type: 'view'; readonly nowMs: number; readonly view: ObservedView }
  | { readonly type: 'process'; readonly nowMs: number; readonly event: ProcessEvent }
  | { readonly type: 'tick'; readonly nowMs: number }
  /** Another supervisor's order for this instance was seen on the `agents` group. */
  | { readonly type: 'ordered'; readonly nowMs: number; readonly instance: string }
  | { readonly type: 'role'; readonly nowMs: number; readonly acting: boolean }
  /** Another supervisor's restart history (sent when this one joined): its budget is kept, not begun anew. */
  | { readonly type: 'history'; readonly nowMs: number; readonly history: RestartHistory };

export interface StartOrder {
  readonly kind: 'start' | 'restart';
  readonly instance: InstanceSpec;
  readonly attempt: number;
  readonly reason: string;
}

export type SupervisorEffect =
  | { readonly type: 'order'; readonly order: StartOrder }
  | { readonly type: 'report'; readonly event: ClusterEvent };

/**
 * unseen: no system view yet; up: in its alive group's view; suspected: out of the view while its agent reports it
 * running, waited for to rejoin; starting: ordered, not yet in the view; waiting: failed, the restart order waits
 * for its backoff; stopped: given up or a configuration error, not restarted.
 */
export type InstancePhase = 'unseen' | 'up' | 'suspected' | 'starting' | 'waiting' | 'stopped';

interface InstanceState {
  readonly spec: InstanceSpec;
  phase: InstancePhase;
  /** The highest incarnation seen at the instance's address: a replacement must show a higher one. */
  incarnation: number | undefined;
  /** Orders issued for this instance (for the reports). */
  attempt: number;
  /** An order went out and its agent has not yet reported the process: an exit heard now is an older one's. */
  awaitingSpawn: boolean;
  /** The agent's spawn count of the process running now, once reported. */
  generation: number | undefined;
  /** Whether the agent last reported the process of `generation` running (liveness without a group). */
  running: boolean;
  orderedAtMs: number;
  /** When it left its view while running (phase suspected). */
  suspectedAtMs: number;
  lastOrder: StartOrder | undefined;
  /** The failure a pending or running restart answers. */
  failure: { readonly reason: string; readonly atMs: number } | undefined;
  nextOrderAtMs: number;
  restartsAtMs: number[];
}

/**
 * The supervisor's decisions as a pure state machine: system views, agent process events, ticks and role changes
 * in; start orders and cluster events out. Every member of the `supervisors` group runs one on the same inputs, so a
 * standby that takes over already knows what failed and what was ordered; only the acting member's effects leave.
 */
/** Reports kept while this member does not know its role yet (at most one per instance and kind matters). */
const MAX_REPORTS_BEFORE_ROLE = 1000;

export class SupervisorCore {
  private acting = false;
  private roleKnown = false;
  /**
   * Reports decided before the first role: the agents' rosters can arrive before the supervisors' view (a process
   * that failed its configuration while every supervisor was still starting). The first acting member sends them.
   */
  private beforeRole: SupervisorEffect[] = [];
  private viewSeen = false;
  private readonly states = new Map<string, InstanceState>();

  constructor(instances: readonly InstanceSpec[]) {
    for (const spec of instances) {
      if (this.states.has(spec.id)) throw new Error(`instance ${spec.id} is listed twice`);
      this.states.set(spec.id, {
        spec,
        phase: 'unseen',
        incarnation: undefined,
        attempt: 0,
        awaitingSpawn: false,
        generation: undefined,
        running: false,
        orderedAtMs: 0,
        suspectedAtMs: 0,
        lastOrder: undefined,
        failure: undefined,
        nextOrderAtMs: 0,
        restartsAtMs: [],
      });
    }
  }

  get isActing(): boolean {
    return this.acting;
  }

  phaseOf(instance: string): InstancePhase | undefined {
    return this.states.get(instance)?.phase;
  }

  step(input: SupervisorInput): SupervisorEffect[] {
    const out: SupervisorEffect[] = [];
    switch (input.type) {
      case 'view':
        this.onView(input.view, input.nowMs, out);
        break;
      case 'process':
        this.onProcess(input.event, input.nowMs, out);
        break;
      case 'tick':
        for (const s of this.states.values()) this.onTick(s, input.nowMs, out);
        break;
      case 'ordered':
        this.onOrderSeen(input.instance);
        break;
      case 'role':
        this.onRole(input.acting, out);
        break;
      case 'history':
        this.onHistory(input.history);
        break;
    }
    if (!this.roleKnown) this.keepBeforeRole(out);
    return this.acting ? out : [];
  }

  /** What this member counted for every instance: the state a joining supervisor is sent. */
  history(): RestartHistory {
    const out: Record<string, { restartsAtMs: number[]; attempt: number }> = {};
    for (const [id, s] of this.states) out[id] = { restartsAtMs: [...s.restartsAtMs], attempt: s.attempt };
    return out;
  }

  /**
   * Merges another member's history: restart times are a union (both counted the same failures, or one saw some
   * the other missed), attempts the larger; the window trims old times when the budget is next judged.
   */
  private onHistory(history: RestartHistory): void {
    for (const [id, h] of Object.entries(history)) {
      const s = this.states.get(id);
      if (s === undefined) continue;
      s.restartsAtMs = [...new Set([...s.restartsAtMs, ...h.restartsAtMs])].sort((a, b) => a - b);
      s.attempt = Math.max(s.attempt, h.attempt);
    }
  }

  private keepBeforeRole(out: readonly SupervisorEffect[]): void {
    for (const e of out)
      if (e.type === 'report' && this.beforeRole.length < MAX_REPORTS_BEFORE_ROLE) this.beforeRole.push(e);
  }

  private onRole(acting: boolean, out: SupervisorEffect[]): void {
    if (!this.roleKnown) {
      this.roleKnown = true;
      if (acting) out.push(...this.beforeRole);
      this.beforeRole = [];
    }
    const takingOver = acting && !this.acting;
    this.acting = acting;
    if (!takingOver) return;
    // The member that acted before may have failed between deciding and ordering: repeat the orders still
    // waiting for a join, as `start`, which an agent carries out only if the process is not running.
    for (const s of this.states.values()) {
      if (s.phase === 'starting' && s.lastOrder !== undefined)
        out.push({ type: 'order', order: { ...s.lastOrder, kind: 'start' } });
    }
  }

  /** A process is coming from an order this member did not send: until it is reported, exits are older ones'. */
  private onOrderSeen(instance: string): void {
    const s = this.states.get(instance);
    if (s !== undefined) s.awaitingSpawn = true;
  }

  private onView(view: ObservedView, nowMs: number, out: SupervisorEffect[]): void {
    const firstView = !this.viewSeen;
    this.viewSeen = true;
    for (const s of this.states.values()) {
      const incarnation = incarnationOf(s, view);
      if (firstView && s.phase === 'unseen') {
        if (incarnation === undefined) this.order(s, 'start', 'not running', nowMs, out);
        else this.markUp(s, incarnation, nowMs, out);
        continue;
      }
      this.onSeen(s, incarnation, nowMs, out);
    }
  }

  /** One instance against a new view: present with a new incarnation means (re)joined, absent means it failed. */
  private onSeen(
    s: InstanceState,
    incarnation: number | undefined,
    nowMs: number,
    out: SupervisorEffect[],
  ): void {
    const fresh = incarnation !== undefined && (s.incarnation === undefined || incarnation > s.incarnation);
    if (s.phase === 'up') {
      if (incarnation === undefined) this.onLeft(s, nowMs, out);
      else if (fresh) s.incarnation = incarnation;
      return;
    }
    // A suspected process back under a new incarnation rejoined by itself: nothing to restart.
    if (fresh || (s.phase === 'suspected' && incarnation !== undefined))
      this.markUp(s, incarnation!, nowMs, out);
  }

  /** Out of its view: restarted at once, unless its agent reports it running, when it is first waited for. */
  private onLeft(s: InstanceState, nowMs: number, out: SupervisorEffect[]): void {
    if (s.running && s.spec.service.restart.suspectGraceMs > 0) {
      s.phase = 'suspected';
      s.suspectedAtMs = nowMs;
      return;
    }
    this.fail(s, `left the view of ${s.spec.service.aliveGroup}`, nowMs, out);
  }

  private markUp(s: InstanceState, incarnation: number, nowMs: number, out: SupervisorEffect[]): void {
    s.phase = 'up';
    s.incarnation = incarnation;
    const failure = s.failure;
    s.failure = undefined;
    if (failure === undefined) return;
    out.push({
      type: 'report',
      event: {
        kind: 'restarted',
        service: s.spec.service.name,
        instance: s.spec.id,
        reason: failure.reason,
        failedAtMs: failure.atMs,
        joinedAtMs: nowMs,
        rejoinMs: nowMs - failure.atMs,
        attempt: s.attempt,
      },
    });
  }

  private onProcess(e: ProcessEvent, nowMs: number, out: SupervisorEffect[]): void {
    const s = this.states.get(e.instance);
    if (s === undefined) return;
    if (e.kind === 'spawned') {
      s.awaitingSpawn = false;
      s.generation = e.generation;
      s.running = true;
      // Without an alive group, the agent's report is the instance's liveness.
      if (s.spec.service.aliveGroup === null && this.viewSeen) this.onSeen(s, e.generation, nowMs, out);
      return;
    }
    if (e.generation === s.generation) s.running = false;
    // An exit the agent was ordered to cause, of a process already replaced, or heard before the ordered process
    // was reported, says nothing about the instance running now.
    const stale = s.awaitingSpawn || (s.generation !== undefined && e.generation < s.generation);
    if (e.ordered || stale || s.phase === 'stopped') return;
    if (e.code === CONFIG_ERROR_EXIT_CODE) {
      s.phase = 'stopped';
      s.failure = undefined;
      const event: ClusterEvent = {
        kind: 'config-error',
        service: s.spec.service.name,
        instance: s.spec.id,
        message: e.lastStderrLine,
        code: e.code,
        atMs: nowMs,
      };
      out.push({ type: 'report', event });
      return;
    }
    if (s.phase === 'up' || s.phase === 'starting' || s.phase === 'suspected') {
      const how = e.signal === null ? `exit code ${e.code}` : `signal ${e.signal}`;
      this.fail(s, `exited (${how})`, nowMs, out);
    }
  }

  private onTick(s: InstanceState, nowMs: number, out: SupervisorEffect[]): void {
    const policy = s.spec.service.restart;
    if (s.phase === 'suspected' && nowMs - s.suspectedAtMs >= policy.suspectGraceMs) {
      // The outage began when it left the view, so rejoinMs spans the wait too.
      s.failure = { reason: `left the view of ${aliveName(s)}`, atMs: s.suspectedAtMs };
      this.fail(
        s,
        `left the view of ${aliveName(s)} and did not rejoin within ${policy.suspectGraceMs} ms`,
        nowMs,
        out,
      );
    } else if (s.phase === 'starting' && nowMs - s.orderedAtMs >= policy.joinTimeoutMs) {
      this.fail(s, `did not join ${aliveName(s)} within ${policy.joinTimeoutMs} ms`, nowMs, out);
    } else if (s.phase === 'waiting' && nowMs >= s.nextOrderAtMs) {
      this.order(s, 'restart', s.failure?.reason ?? 'failed', nowMs, out);
    }
  }

  /** A failure spends one restart of the budget, after the backoff; past the budget the instance is given up. */
  private fail(s: InstanceState, reason: string, nowMs: number, out: SupervisorEffect[]): void {
    const policy = s.spec.service.restart;
    s.restartsAtMs = restartsInWindow(policy, s.restartsAtMs, nowMs);
    const service = s.spec.service.name;
    if (s.restartsAtMs.length >= policy.maxRestarts) {
      s.phase = 'stopped';
      s.failure = undefined;
      const restarts = s.restartsAtMs.length;
      out.push({
        type: 'report',
        event: {
          kind: 'gave-up',
          service,
          instance: s.spec.id,
          reason,
          atMs: nowMs,
          restartsInWindow: restarts,
        },
      });
      return;
    }
    const delayMs = backoffMs(policy, s.restartsAtMs.length);
    // A restart that fails again keeps the first failure's time, so rejoinMs spans the whole outage.
    s.failure = { reason, atMs: s.failure?.atMs ?? nowMs };
    s.phase = 'waiting';
    s.nextOrderAtMs = nowMs + delayMs;
    out.push({
      type: 'report',
      event: {
        kind: 'restarting',
        service,
        instance: s.spec.id,
        reason,
        failedAtMs: nowMs,
        orderAtMs: s.nextOrderAtMs,
        attempt: s.attempt + 1,
        restartInWindow: s.restartsAtMs.length + 1,
        maxRestarts: policy.maxRestarts,
      },
    });
    if (delayMs === 0) this.order(s, 'restart', reason, nowMs, out);
  }

  private order(
    s: InstanceState,
    kind: StartOrder['kind'],
    reason: string,
    nowMs: number,
    out: SupervisorEffect[],
  ): void {
    s.attempt += 1;
    s.phase = 'starting';
    // A standby's decision sends nothing, so no process comes of it; the acting member's order is seen instead.
    if (this.acting) s.awaitingSpawn = true;
    s.orderedAtMs = nowMs;
    if (kind === 'restart') s.restartsAtMs.push(nowMs);
    s.lastOrder = { kind, instance: s.spec, attempt: s.attempt, reason };
    out.push({ type: 'order', order: s.lastOrder });
  }
}

function aliveName(s: InstanceState): string {
  return s.spec.service.aliveGroup ?? 'its agent (running)';
}

/**
 * The instance's incarnation if it is alive: the highest at its address among its alive group's members, or,
 * without an alive group, the agent's spawn count while the agent reports it running.
 */
function incarnationOf(s: InstanceState, view: ObservedView): number | undefined {
  const spec = s.spec;
  if (spec.service.aliveGroup === null) return s.running ? s.generation : undefined;
  const group = view.groups.find((g) => g.name === spec.service.aliveGroup);
  let best: number | undefined;
  for (const m of group?.members ?? []) {
    if (m.address === spec.address && (best === undefined || m.incarnation > best)) best = m.incarnation;
  }
  return best;
}

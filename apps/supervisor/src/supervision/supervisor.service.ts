import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { GroupPublisher, OnView, SystemViews } from '@gridcloud/nest-vsync';
import { VsyncProcess, sameProcess, type ProcessId, type SystemView, type View } from '@gridcloud/vsync';
import {
  AGENT_ORDER_MESSAGE,
  AGENTS_GROUP,
  CLUSTER_EVENT_MESSAGE,
  CLUSTER_EVENTS_GROUP,
  RESTART_HISTORY_MESSAGE,
  SUPERVISORS_GROUP,
  SupervisorCore,
  formatClusterEvent,
  instancesOf,
  launchOf,
  toAgentRoster,
  toProcessEvent,
  toRestartHistory,
  type AgentOrder,
  type ClusterEvent,
  type StartOrder,
  type SupervisorEffect,
  type SupervisorInput,
} from '@gridcloud/supervision';
import { SUPERVISOR_OPTIONS } from '../config/supervisor-config.module';
import type { SupervisorOptions } from '../config/supervisor-options';
import { SupervisorOutput } from './supervisor-output';

/**
 * The thin shell around libs/supervision's SupervisorCore: feeds it system views, agent events, ticks and role
 * changes (rank 0 of `supervisors` acts), and carries out its effects: orders to `agents`, events to
 * `cluster.events`. No decision is made here.
 */
@Injectable()
export class SupervisorService implements OnModuleInit, OnApplicationShutdown {
  private readonly core: SupervisorCore;
  private ticker: NodeJS.Timeout | undefined;
  private views: Subscription | undefined;
  /** Views are decided on only once the agents' rosters say what ran before this member joined `agents`. */
  private rosterKnown = false;
  private rosterTimer: NodeJS.Timeout | undefined;
  readonly counters = { orders: 0, events: 0, sendErrors: 0, badMessages: 0 };

  constructor(
    @Inject(SUPERVISOR_OPTIONS) private readonly options: SupervisorOptions,
    @Inject(VsyncProcess) private readonly process: VsyncProcess,
    @Inject(SystemViews) private readonly systemViews: SystemViews,
    @Inject(GroupPublisher) private readonly publisher: GroupPublisher,
    @Inject(SupervisorOutput) private readonly out: SupervisorOutput,
  ) {
    this.core = new SupervisorCore(instancesOf(options.desiredState));
  }

  get acting(): boolean {
    return this.core.isActing;
  }

  onModuleInit(): void {
    this.views = this.systemViews.views$.subscribe((view) => this.onSystemView(view));
    this.ticker = setInterval(
      () => this.feed({ type: 'tick', nowMs: Date.now() }),
      this.options.tickIntervalMs,
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.ticker);
    clearTimeout(this.rosterTimer);
    this.views?.unsubscribe();
  }

  @OnView(SUPERVISORS_GROUP)
  onSupervisorsView(view: View): void {
    const acting = view.members.length > 0 && sameProcess(view.members[0], this.process.self);
    if (acting !== this.core.isActing) {
      this.out.log(acting ? 'acting supervisor' : 'standby supervisor');
      this.out.json({ event: 'role', acting, address: this.process.self.address, atMs: Date.now() });
    }
    this.feed({ type: 'role', nowMs: Date.now(), acting });
    this.sendHistoryTo(view);
  }

  /**
   * A supervisor that joins (a replacement of one that failed) is sent what the members before it counted, so the
   * restart budget and backoff of every instance carry over instead of beginning anew.
   */
  private sendHistoryTo(view: View): void {
    const self = this.process.self;
    const joiners = view.joined.filter((m) => !sameProcess(m, self));
    if (joiners.length === 0 || view.joined.some((m) => sameProcess(m, self))) return;
    this.publisher
      .send(SUPERVISORS_GROUP, RESTART_HISTORY_MESSAGE, this.core.history())
      .catch((error: Error) => this.sendFailed('restart history', error));
  }

  onRestartHistory(raw: unknown, sender: ProcessId | undefined): void {
    if (sender !== undefined && sameProcess(sender, this.process.self)) return;
    const history = this.decode(() => toRestartHistory(raw));
    if (history !== undefined) this.feed({ type: 'history', nowMs: Date.now(), history });
  }

  /** Once in `agents`, the rosters come; without an agent to answer, decide from the views alone after a while. */
  @OnView(AGENTS_GROUP)
  onAgentsView(view: View): void {
    const self = this.process.self;
    if (this.rosterTimer !== undefined || !view.members.some((m) => sameProcess(m, self))) return;
    this.rosterTimer = setTimeout(() => this.rosterArrived(), this.options.rosterTimeoutMs);
  }

  onProcessEvent(raw: unknown): void {
    const event = this.decode(() => toProcessEvent(raw));
    if (event !== undefined) this.feed({ type: 'process', nowMs: Date.now(), event });
  }

  /** Another supervisor's order (this member's own are known when made). */
  onOrderSeen(raw: { instance?: unknown } | undefined, sender: ProcessId | undefined): void {
    if (sender === undefined || sameProcess(sender, this.process.self) || typeof raw?.instance !== 'string')
      return;
    this.feed({ type: 'ordered', nowMs: Date.now(), instance: raw.instance });
  }

  onRoster(raw: unknown): void {
    const roster = this.decode(() => toAgentRoster(raw));
    if (roster === undefined) return;
    for (const event of roster.events) this.feed({ type: 'process', nowMs: Date.now(), event });
    this.rosterArrived();
  }

  stats(): Record<string, unknown> {
    const phases: Record<string, string | undefined> = {};
    for (const i of instancesOf(this.options.desiredState)) phases[i.id] = this.core.phaseOf(i.id);
    return { acting: this.core.isActing, ...this.counters, phases };
  }

  private decode<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      this.counters.badMessages += 1;
      this.out.log((error as Error).message);
      return undefined;
    }
  }

  private rosterArrived(): void {
    if (this.rosterKnown) return;
    this.rosterKnown = true;
    clearTimeout(this.rosterTimer);
    const view = this.process.systemView;
    if (view !== undefined) this.feed({ type: 'view', nowMs: Date.now(), view });
  }

  private onSystemView(view: SystemView): void {
    if (this.rosterKnown) this.feed({ type: 'view', nowMs: Date.now(), view });
  }

  private feed(input: SupervisorInput): void {
    for (const effect of this.core.step(input)) this.perform(effect);
  }

  private perform(effect: SupervisorEffect): void {
    if (effect.type === 'order') this.order(effect.order);
    else this.report(effect.event);
  }

  private order(o: StartOrder): void {
    const order: AgentOrder = {
      kind: o.kind,
      agent: o.instance.service.agent,
      instance: o.instance.id,
      attempt: o.attempt,
      reason: o.reason,
      launch: launchOf(this.options.desiredState, o.instance, this.options.desiredStatePath),
    };
    this.counters.orders += 1;
    this.out.log(`order: ${o.kind} ${o.instance.id} (${o.reason})`);
    this.publisher
      .send(AGENTS_GROUP, AGENT_ORDER_MESSAGE, order)
      .catch((error: Error) => this.sendFailed('order', error));
  }

  private report(event: ClusterEvent): void {
    this.counters.events += 1;
    this.out.log(formatClusterEvent(event));
    this.out.json({ event: 'cluster-event', ...event });
    this.publisher
      .send(CLUSTER_EVENTS_GROUP, CLUSTER_EVENT_MESSAGE, event)
      .catch((error: Error) => this.sendFailed('cluster event', error));
  }

  private sendFailed(what: string, error: Error): void {
    this.counters.sendErrors += 1;
    this.out.log(`${what} not sent: ${error.message}`);
  }
}

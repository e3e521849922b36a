import { Group, VsyncProcess, sameProcess, type SystemView } from '@gridcloud/vsync';
import {
  AGENT_ORDER,
  AGENT_PROCESS_EVENT,
  AGENT_ROSTER,
  AGENTS_GROUP,
  CLUSTER_EVENT,
  CLUSTER_EVENTS_GROUP,
  SUPERVISORS_GROUP,
  SupervisorCore,
  formatClusterEvent,
  instancesOf,
  launchOf,
  toAgentRoster,
  toProcessEvent,
  type AgentOrder,
  type ClusterEvent,
  type StartOrder,
  type SupervisorEffect,
  type SupervisorInput,
} from '@gridcloud/supervision';
import type { SupervisorOptions } from '../config/supervisor-options';

export interface SupervisorOutput {
  /** A JSON line for stdout. */
  json(line: Record<string, unknown>): void;
  /** A human-readable line for stderr. */
  log(text: string): void;
}

/**
 * One supervisor: a member of `supervisors` (rank 0 acts), `agents` (orders out, process events in),
 * `cluster.events` (restart events out) and its liveness group `service.supervisor`. It feeds system views, agent
 * events, ticks and role changes to the pure SupervisorCore and carries out the effects; no decision is made here.
 */
export class SupervisorNode {
  readonly process: VsyncProcess;
  private readonly core: SupervisorCore;
  private readonly supervisors: Group;
  private readonly agents: Group;
  private readonly events: Group;
  private readonly liveness: Group;
  private ticker: NodeJS.Timeout | undefined;
  /** Views are decided on only once the agents' rosters say what ran before this member joined. */
  private rosterKnown = false;
  private rosterTimer: NodeJS.Timeout | undefined;
  readonly counters = { orders: 0, events: 0, sendErrors: 0, badMessages: 0 };

  constructor(
    private readonly options: SupervisorOptions,
    private readonly out: SupervisorOutput,
  ) {
    this.core = new SupervisorCore(instancesOf(options.desiredState));
    this.process = new VsyncProcess({
      bindHost: options.vsyncHost,
      bindPort: options.vsyncPort,
      seeds: options.vsyncSeeds.length > 0 ? options.vsyncSeeds : undefined,
      // The agent, never restarted, founds the system; a supervisor always joins one.
      founder: options.vsyncSeeds.length > 0 ? false : undefined,
      core: { failureTimeoutMs: options.failureTimeoutMs, heartbeatIntervalMs: options.heartbeatIntervalMs },
    });
    this.supervisors = new Group(SUPERVISORS_GROUP, { process: this.process });
    this.agents = new Group(AGENTS_GROUP, { process: this.process });
    this.events = new Group(CLUSTER_EVENTS_GROUP, { process: this.process });
    this.liveness = new Group('service.supervisor', { process: this.process });
    this.agents.handle(AGENT_ORDER, (raw: { instance?: unknown }) => this.onOrderSeen(raw));
    this.agents.handle(AGENT_PROCESS_EVENT, (raw: unknown) => this.onProcessEvent(raw));
    this.agents.handle(AGENT_ROSTER, (raw: unknown) => this.onRoster(raw));
    this.events.handle(CLUSTER_EVENT, () => undefined);
    this.supervisors.onView((view) => {
      const acting = view.members.length > 0 && sameProcess(view.members[0], this.process.self);
      if (acting !== this.core.isActing) {
        this.out.log(acting ? 'acting supervisor' : 'standby supervisor');
        this.out.json({ event: 'role', acting, address: this.process.self.address, atMs: Date.now() });
      }
      this.feed({ type: 'role', nowMs: Date.now(), acting });
    });
    for (const g of [this.supervisors, this.agents, this.events, this.liveness])
      g.onError((error) => this.out.log(`${g.name}: ${error.message}`));
  }

  get acting(): boolean {
    return this.core.isActing;
  }

  async start(): Promise<void> {
    await this.process.start();
    // Orders and events can only go out once this member is in `agents` and `cluster.events`; the view
    // decisions wait until then too, so none is lost to a refused send.
    this.process.onSystemView((view) => this.onSystemView(view));
    await Promise.all([this.agents.join(), this.events.join()]);
    // Without an agent to answer (none running yet), decide from the views alone after a while.
    this.rosterTimer = setTimeout(() => this.rosterArrived(), this.options.rosterTimeoutMs);
    await this.liveness.join();
    await this.supervisors.join();
    this.ticker = setInterval(
      () => this.feed({ type: 'tick', nowMs: Date.now() }),
      this.options.tickIntervalMs,
    );
  }

  async stop(): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    if (this.rosterTimer !== undefined) clearTimeout(this.rosterTimer);
    await this.process.shutdown();
  }

  stats(): Record<string, unknown> {
    const phases: Record<string, string | undefined> = {};
    for (const i of instancesOf(this.options.desiredState)) phases[i.id] = this.core.phaseOf(i.id);
    return { acting: this.core.isActing, ...this.counters, phases };
  }

  private onSystemView(view: SystemView): void {
    if (this.rosterKnown) this.feed({ type: 'view', nowMs: Date.now(), view });
  }

  /** Another supervisor's order (this member's own are known when made). */
  private onOrderSeen(raw: { instance?: unknown }): void {
    const sender = this.agents.delivery?.sender;
    if (sender === undefined || sameProcess(sender, this.process.self) || typeof raw?.instance !== 'string')
      return;
    this.feed({ type: 'ordered', nowMs: Date.now(), instance: raw.instance });
  }

  private onRoster(raw: unknown): void {
    let roster;
    try {
      roster = toAgentRoster(raw);
    } catch (error) {
      this.counters.badMessages += 1;
      this.out.log((error as Error).message);
      return;
    }
    for (const event of roster.events) this.feed({ type: 'process', nowMs: Date.now(), event });
    this.rosterArrived();
  }

  private rosterArrived(): void {
    if (this.rosterKnown) return;
    this.rosterKnown = true;
    if (this.rosterTimer !== undefined) clearTimeout(this.rosterTimer);
    const view = this.process.systemView;
    if (view !== undefined) this.feed({ type: 'view', nowMs: Date.now(), view });
  }

  private onProcessEvent(raw: unknown): void {
    let event;
    try {
      event = toProcessEvent(raw);
    } catch (error) {
      this.counters.badMessages += 1;
      this.out.log((error as Error).message);
      return;
    }
    this.feed({ type: 'process', nowMs: Date.now(), event });
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
    this.agents.send(AGENT_ORDER, order).catch((error: Error) => this.sendFailed('order', error));
  }

  private report(event: ClusterEvent): void {
    this.counters.events += 1;
    this.out.log(formatClusterEvent(event));
    this.out.json({ event: 'cluster-event', ...event });
    this.events.send(CLUSTER_EVENT, event).catch((error: Error) => this.sendFailed('cluster event', error));
  }

  private sendFailed(what: string, error: Error): void {
    this.counters.sendErrors += 1;
    this.out.log(`${what} not sent: ${error.message}`);
  }
}

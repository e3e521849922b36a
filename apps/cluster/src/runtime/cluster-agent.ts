import path from 'node:path';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { Group, VsyncProcess, type SystemView } from '@gridcloud/vsync';
import {
  AGENT_ORDER_MESSAGE,
  AGENT_ROSTER_MESSAGE,
  AGENTS_GROUP,
  CLUSTER_EVENT_MESSAGE,
  CLUSTER_EVENTS_GROUP,
  HostAgent,
  LOCAL_AGENT,
  LocalProcessDriver,
  type EntryBundles,
  PROCESS_EVENT_MESSAGE,
  SUPERVISOR_SERVICE,
  agentAddress,
  hostOf,
  instancesOf,
  seedAgent,
  launchOf,
  seedsOf,
  toAgentOrder,
  toClusterEvent,
  type ClusterEvent,
  type JsonLine,
  type Launch,
  type ProcessEvent,
} from '@gridcloud/supervision';
import type { EffectiveDesiredState } from '../config/effective-desired-state';

const ORDER_ID = messageHandlerId(AGENT_ORDER_MESSAGE);
const PROCESS_EVENT_ID = messageHandlerId(PROCESS_EVENT_MESSAGE);
const ROSTER_ID = messageHandlerId(AGENT_ROSTER_MESSAGE);
const CLUSTER_EVENT_ID = messageHandlerId(CLUSTER_EVENT_MESSAGE);

export interface ClusterAgentListener {
  processEvent(event: ProcessEvent): void;
  clusterEvent(event: ClusterEvent): void;
  instanceLine(instance: string, line: JsonLine): void;
  systemView(view: SystemView): void;
  log(text: string): void;
}

export interface ClusterAgentOptions {
  readonly failureTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** A process stopped for a restart gets this long between SIGTERM and SIGKILL. */
  readonly restartGraceMs: number;
  /** Where each instance's stderr goes (`<service>-<index>.log`). */
  readonly logDir: string;
  /** Entries bundled ahead of the start (libs/supervision's bundleEntries); the others run under tsx. */
  readonly bundles: EntryBundles;
  /** The cluster's shared vsync secret: the agent's links are keyed like every instance's. */
  readonly vsyncSecret?: string;
  /** Mutual TLS on the agent's vsync links, passed on to every instance it starts (see withTls). */
  readonly vsyncTls?: VsyncTlsFiles;
  /** This agent's name in the desired state (default `local`, the embedded cluster's one agent). */
  readonly name?: string;
}

export interface VsyncTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/**
 * A host agent: a member of `agents` (orders in, process events out), `service.agent` and `cluster.events`, running
 * the desired state's instances placed on it. The seed agent (the one that runs the supervisors; the embedded
 * cluster's only agent) listens at `portBase` and is the first vsync seed: never restarted by the supervisors, it
 * founds the system. Any other agent (a container's entrypoint in compose) listens on an ephemeral port of its host
 * and joins through the seeds.
 */
export class ClusterAgent {
  readonly process: VsyncProcess;
  readonly agent: HostAgent;
  private readonly agents: Group;
  private readonly events: Group;
  private readonly liveness: Group;
  private readonly tls: VsyncTlsFiles | undefined;
  badMessages = 0;

  constructor(
    private readonly desired: EffectiveDesiredState,
    options: ClusterAgentOptions,
    private readonly listener: ClusterAgentListener,
  ) {
    const state = desired.state;
    const name = options.name ?? LOCAL_AGENT;
    this.tls = options.vsyncTls;
    const seed = name === seedAgent(state);
    const [host, port] = seed ? agentAddress(state).split(':') : [hostOf(state, name), '0'];
    this.process = new VsyncProcess({
      bindHost: host,
      bindPort: Number(port),
      seeds: seedsOf(state),
      founder: seed,
      secret: options.vsyncSecret,
      tls: options.vsyncTls,
      core: { failureTimeoutMs: options.failureTimeoutMs, heartbeatIntervalMs: options.heartbeatIntervalMs },
    });
    this.agent = new HostAgent({
      name,
      driver: new LocalProcessDriver(options.logDir, options.bundles),
      restartGraceMs: options.restartGraceMs,
      publish: (e) => this.publish(e),
      onLine: (instance, line) => listener.instanceLine(instance, line),
    });
    this.agents = new Group(AGENTS_GROUP, { process: this.process });
    this.events = new Group(CLUSTER_EVENTS_GROUP, { process: this.process });
    this.liveness = new Group('service.agent', { process: this.process });
    this.agents.handle(ORDER_ID, (raw: unknown) => this.onOrder(raw));
    this.agents.handle(PROCESS_EVENT_ID, () => undefined);
    this.agents.handle(ROSTER_ID, () => undefined);
    // A supervisor that joins missed the events before it: the roster is its state transfer.
    this.agents.onView((view) => {
      if (view.joined.some((p) => p.address !== this.process.self.address)) this.sendRoster();
    });
    this.events.handle(CLUSTER_EVENT_ID, (raw: unknown) => {
      const event = toClusterEvent(raw);
      if (event !== undefined) listener.clusterEvent(event);
    });
    for (const g of [this.agents, this.events, this.liveness])
      g.onError((error) => listener.log(`${g.name}: ${error.message}`));
    this.process.onSystemView((view) => listener.systemView(view));
  }

  /**
   * Joins the groups (and `more`, e.g. the console's `results`), then starts every instance placed on this agent
   * at once: the supervisors first, then the rest in the same turn. Booting them in parallel rather than waiting
   * for a supervisor to order the others saves the supervisors' boot from the time to the first estimate. Only
   * the first start happens here: a supervisor finds them in the agent's roster and its `start` orders for them
   * are no-ops; every restart is still the supervisors'.
   */
  async start(more: () => Promise<void> = async () => undefined): Promise<void> {
    await this.process.start();
    await Promise.all([this.agents.join(), this.events.join(), this.liveness.join(), more()]);
    const state = this.desired.state;
    const mine = instancesOf(state).filter((i) => i.service.agent === this.agent.name);
    const supervisorsFirst = [
      ...mine.filter((i) => i.service.name === SUPERVISOR_SERVICE),
      ...mine.filter((i) => i.service.name !== SUPERVISOR_SERVICE),
    ];
    for (const i of supervisorsFirst)
      void this.agent.ensureRunning(i.id, this.withTls(launchOf(state, i, this.desired.path)));
  }

  /** For GET /health: whether it is in the `agents` view (orders reach it), its address and its instances. */
  health(): { joined: boolean; agent: string; vsync: string; instances: Record<string, unknown>[] } {
    const self = this.process.self;
    const view = this.agents.view;
    return {
      joined: view?.members.some((m) => m.address === self.address) ?? false,
      agent: this.agent.name,
      vsync: self.address,
      instances: this.agent.roster().map((e) => ({
        instance: e.instance,
        state: e.kind === 'spawned' ? 'running' : 'exited',
        generation: e.generation,
        pid: e.pid,
      })),
    };
  }

  /** Stops every instance (each with its process group), then leaves the system. */
  async stop(graceMs: number): Promise<void> {
    await this.agent.stopAll(graceMs);
    await this.process.shutdown();
  }

  private onOrder(raw: unknown): void {
    let order;
    try {
      order = toAgentOrder(raw);
    } catch (error) {
      this.badMessages += 1;
      this.listener.log((error as Error).message);
      return;
    }
    void this.agent.carryOut({ ...order, launch: this.withTls(order.launch) });
  }

  /** An instance on this host gets the agent's TLS files (GRIDCLOUD_VSYNC_TLS_*, read by every app's
   *  clusterSettings), unless its launch names its own: a start and every supervisor-ordered restart alike. */
  private withTls(launch: Launch): Launch {
    const tls = this.tls;
    if (tls === undefined || Object.keys(launch.env).some((k) => k.startsWith('GRIDCLOUD_VSYNC_TLS_')))
      return launch;
    // Absolute: an instance may run in another working directory than the agent.
    const env = {
      GRIDCLOUD_VSYNC_TLS_CERT: path.resolve(tls.certFile),
      GRIDCLOUD_VSYNC_TLS_KEY: path.resolve(tls.keyFile),
      GRIDCLOUD_VSYNC_TLS_CA: path.resolve(tls.caFile),
    };
    return { ...launch, env: { ...launch.env, ...env } };
  }

  private sendRoster(): void {
    const roster = { agent: this.agent.name, events: this.agent.roster() };
    this.agents.send(ROSTER_ID, roster).catch((error: Error) => {
      this.listener.log(`roster not sent: ${error.message}`);
    });
  }

  private publish(event: ProcessEvent): void {
    this.listener.processEvent(event);
    this.agents.send(PROCESS_EVENT_ID, event).catch((error: Error) => {
      this.listener.log(`process event not sent: ${error.message}`);
    });
  }
}

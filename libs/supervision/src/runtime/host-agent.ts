import type { Launch } from '../desired-state/instance-layout';
import type { AgentOrder, ProcessEvent } from '../protocol/agent-messages';
import type { JsonLine } from './local-process';
import type { ProcessDriver, RunningInstance } from './process-driver';

export interface HostAgentOptions {
  readonly name: string;
  readonly driver: ProcessDriver;
  /** Every process event goes here (the cluster sends it on the `agents` group). */
  readonly publish: (event: ProcessEvent) => void;
  /** Every JSON line an instance prints (the console reads ingest's statistics from it). */
  readonly onLine?: (instance: string, line: JsonLine) => void;
  /** How long a process stopped for a restart gets between SIGTERM and SIGKILL. */
  readonly restartGraceMs: number;
  readonly now?: () => number;
}

interface Slot {
  generation: number;
  /** The latest event published about this instance: its entry in the roster. */
  latest: ProcessEvent | undefined;
  current: RunningInstance | undefined;
  /** Orders for one instance run one after another, so two orders never spawn two processes. */
  queue: Promise<void>;
}

/**
 * The host agent: carries out start and restart orders for the instances placed on it, and reports every spawn
 * and exit. It holds no restart policy: deciding is the supervisors' job; the agent only never runs two
 * processes of one instance at once.
 */
export class HostAgent {
  private readonly slots = new Map<string, Slot>();
  /** Processes this agent stopped itself: their exits are not failures. */
  private readonly stoppedOnOrder = new WeakSet<RunningInstance>();
  private stopping = false;

  constructor(private readonly options: HostAgentOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Instance ids and pids of the processes running now. */
  running(): { instance: string; pid: number }[] {
    return [...this.slots.entries()]
      .filter(([, s]) => s.current?.running === true)
      .map(([instance, s]) => ({ instance, pid: s.current!.pid }));
  }

  /** The latest event of every instance this agent ran: what a joining supervisor needs to know. */
  roster(): ProcessEvent[] {
    return [...this.slots.values()].flatMap((s) => (s.latest === undefined ? [] : [s.latest]));
  }

  /** Carries out an order addressed to this agent (others are ignored); resolves once it has been carried out. */
  carryOut(order: AgentOrder): Promise<void> {
    if (order.agent !== this.options.name || this.stopping) return Promise.resolve();
    const slot = this.slotOf(order.instance);
    slot.queue = slot.queue.then(() => this.runOrder(order, slot));
    return slot.queue;
  }

  /** Ensures an instance runs, as a `start` order would (the cluster brings up the supervisors this way). */
  ensureRunning(instance: string, launch: Launch): Promise<void> {
    return this.carryOut({
      kind: 'start',
      agent: this.name,
      instance,
      attempt: 0,
      reason: 'bootstrap',
      launch,
    });
  }

  /** Stops every instance (SIGTERM, then SIGKILL after `graceMs`) and refuses further orders. */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        await slot.queue;
        await slot.current?.stop(graceMs);
      }),
    );
  }

  private slotOf(instance: string): Slot {
    let slot = this.slots.get(instance);
    if (slot === undefined) {
      slot = { generation: 0, latest: undefined, current: undefined, queue: Promise.resolve() };
      this.slots.set(instance, slot);
    }
    return slot;
  }

  private async runOrder(order: AgentOrder, slot: Slot): Promise<void> {
    if (this.stopping) return;
    const current = slot.current;
    if (current?.running === true) {
      if (order.kind === 'start') {
        this.report(order.instance, slot, current, true);
        return;
      }
      this.stoppedOnOrder.add(current);
      await current.stop(this.options.restartGraceMs);
      if (slot.current === current) slot.current = undefined;
    }
    this.spawn(order.instance, order.launch, slot);
  }

  private spawn(instance: string, launch: Launch, slot: Slot): void {
    slot.generation += 1;
    const generation = slot.generation;
    const p = this.options.driver.start(instance, launch, (line) => this.options.onLine?.(instance, line));
    slot.current = p;
    this.report(instance, slot, p, false);
    void p.exit.then((exit) => {
      if (slot.current === p) slot.current = undefined;
      this.publish(slot, {
        kind: 'exited',
        agent: this.name,
        instance,
        generation,
        pid: p.pid,
        code: exit.code,
        signal: exit.signal,
        ordered: this.stopping || this.stoppedOnOrder.has(p),
        lastStderrLine: p.lastStderrLine,
        atMs: this.now(),
      });
    });
  }

  private publish(slot: Slot, event: ProcessEvent): void {
    // An exit of a process already replaced is not the instance's latest state.
    if (event.generation === slot.generation) slot.latest = event;
    this.options.publish(event);
  }

  private report(instance: string, slot: Slot, p: RunningInstance, alreadyRunning: boolean): void {
    this.publish(slot, {
      kind: 'spawned',
      agent: this.name,
      instance,
      generation: slot.generation,
      pid: p.pid,
      alreadyRunning,
      atMs: this.now(),
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

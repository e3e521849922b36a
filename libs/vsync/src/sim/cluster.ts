import {
  type CoreConfig,
  type CoreOutput,
  type Ordering,
  ProcessCore,
  type WireMessage,
  decodeMessage,
  encodeMessage,
  processKey,
} from '../protocol';
import { EventQueue } from './event-queue';
import { History } from './history';
import { Prng } from './prng';
import { SimNetwork } from './sim-network';
import { type SimRequest, SimNode } from './sim-node';
import { WireLog } from './wire-log';

export { SimNode } from './sim-node';

/** Protocol bounds used in simulation: short timeouts keep each run a few simulated seconds long. */
export const SIM_CORE_BOUNDS = {
  tickIntervalMs: 10,
  heartbeatIntervalMs: 50,
  failureTimeoutMs: 400,
  retransmitIntervalMs: 60,
  viewChangeTimeoutMs: 300,
  joinRetryMs: 150,
  sendWindowMessages: 8,
  ackThresholdMessages: 3,
  sendQueueMessages: 64,
  foundAfterMs: 300,
  leaveTimeoutMs: 1_500,
  // Small next to the frame bound below, so a few unstable messages of a few members already exceed one frame: view
  // changes must split what they carry, as in production with 4 MiB frames and a 256-message window.
  maxPayloadBytes: 2_048,
} satisfies Partial<CoreConfig>;

/** Bytes of envelope and record metadata a frame holds next to the payload bound (the runtime's allowance). */
export const SIM_HEADER_ALLOWANCE_BYTES = 4_096;

type SimEvent =
  | { readonly kind: 'tick'; readonly node: number; readonly incarnation: number }
  | { readonly kind: 'message'; readonly to: number; readonly bytes: Uint8Array }
  | { readonly kind: 'call'; readonly fn: () => void };

export interface ClusterOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly bounds?: Partial<CoreConfig>;
  /** Restart a process this long after it is excluded (as the runtime would, with incarnation + 1); null = never. */
  readonly restartAfterExclusionMs?: number | null;
}

/** A whole cluster of ProcessCores on one thread: seeded network, simulated clock, every message through the codec. */
export class Cluster {
  readonly prng: Prng;
  readonly network: SimNetwork;
  readonly history = new History();
  /** The protocol's own traffic, for the quorum and flow-control checks. */
  readonly wire: WireLog;
  readonly nodes: SimNode[];
  now = 0;
  /** Called for every message a process sends, before the network decides its fate (fault triggers hook in here). */
  onSend: ((from: SimNode, message: WireMessage) => void) | null = null;
  /** Called with every output a process emits, in order, before the history records it (applications hook in here). */
  onOutput: ((node: SimNode, output: CoreOutput) => void) | null = null;
  private readonly queue = new EventQueue<SimEvent>();
  /** Systems founded so far: a whole system restarted together (or re-founded) starts again at view 1. */
  private era = 0;
  private readonly byAddress = new Map<string, SimNode>();
  private nextRequestId = 1;

  constructor(private readonly options: ClusterOptions) {
    this.prng = new Prng(options.seed);
    this.network = new SimNetwork(this.prng);
    this.wire = new WireLog(options.bounds?.sendWindowMessages ?? SIM_CORE_BOUNDS.sendWindowMessages);
    this.nodes = Array.from({ length: options.nodes }, (_, i) => new SimNode(i + 1));
    for (const n of this.nodes) this.byAddress.set(n.address, n);
  }

  node(index: number): SimNode {
    const n = this.nodes[index - 1];
    if (!n) throw new RangeError(`no node ${index} (the cluster has ${this.nodes.length})`);
    return n;
  }

  /** Starts (or restarts, as a new incarnation) the process on one node, with the default options unless `founder`
   *  is given (an operator founding a system on purpose). */
  start(index: number, founder?: boolean): void {
    const n = this.node(index);
    n.incarnation++;
    n.requests.clear();
    n.groups.clear();
    n.paused = false;
    n.held.length = 0;
    const seeds = this.nodes.map((x) => x.address);
    // Default founding, as a supervisor restarts a process with unchanged options: node 1, the first seed, founds
    // only if no seed reports a running system, so its restart must join the system it left.
    n.core = new ProcessCore({ ...SIM_CORE_BOUNDS, ...this.options.bounds, self: n.pid, seeds, founder });
    this.stepNode(n, { type: 'start', nowMs: this.localTime(n) });
    this.scheduleTick(n);
  }

  crash(index: number): void {
    const n = this.node(index);
    if (!n.core) return;
    this.history.crashed.set(n.key, this.now);
    n.core = null;
  }

  /** Stops a process without killing it (SIGSTOP, a long GC pause, a frozen VM): it handles nothing, its timers do not
   *  fire and what reaches it waits, until `resume`. */
  pause(index: number): void {
    const n = this.node(index);
    if (n.core) n.paused = true;
  }

  /** Resumes a paused process: everything that arrived meanwhile is handed to it now, and its timers fire again. */
  resume(index: number): void {
    const n = this.node(index);
    if (!n.paused) return;
    n.paused = false;
    for (const bytes of n.held.splice(0)) this.queue.push(this.now, { kind: 'message', to: n.index, bytes });
    if (n.core) this.scheduleTick(n);
  }

  /** A graceful stop (Ctrl-C, SIGTERM): the process leaves the system, taking part in its own removal. */
  shutdown(index: number): void {
    const n = this.node(index);
    if (!n.core) return;
    this.stepNode(n, { type: 'shutdown', nowMs: this.localTime(n) });
  }

  /** An operator's re-found order (the vsync re-found tool) delivered to one node. */
  refound(index: number): void {
    const n = this.node(index);
    if (!n.core) return;
    const operator = { address: 'operator:7000', incarnation: 1 };
    const message: WireMessage = {
      from: operator,
      toIncarnation: 0,
      linkSeq: 0,
      linkAck: 0,
      body: { kind: 'refound' },
    };
    this.stepNode(n, { type: 'receive', fromAddress: operator.address, message, nowMs: this.localTime(n) });
  }

  join(index: number, group: string): void {
    this.request(this.node(index), { kind: 'join', group });
  }

  leave(index: number, group: string): void {
    this.request(this.node(index), { kind: 'leave', group });
  }

  /** One multicast whose payload is its id, padded with zero bytes to `payloadBytes` (at most maxPayloadBytes). */
  multicast(index: number, group: string, ordering: Ordering, payloadBytes = 0): string {
    const n = this.node(index);
    const id = this.multicastId(n, group, ordering);
    this.request(n, { kind: 'multicast', group, ordering, id, payloadBytes });
    return id;
  }

  /** Several multicasts to one group in one input, as the runtime feeds those issued in one event-loop turn. */
  multicastBatch(index: number, group: string, orderings: readonly Ordering[], payloadBytes = 0): string[] {
    const n = this.node(index);
    if (!n.core || n.paused) return [];
    const ids = orderings.map((ordering) => this.multicastId(n, group, ordering));
    const multicasts = ids.map((id, i) => {
      const requestId = this.nextRequestId++;
      n.requests.set(requestId, { kind: 'multicast', group, ordering: orderings[i], id, payloadBytes });
      return { requestId, ordering: orderings[i], payload: payloadOf(id, payloadBytes) };
    });
    this.stepNode(n, { type: 'multicastBatch', group, multicasts, nowMs: this.localTime(n) });
    return ids;
  }

  private multicastId(n: SimNode, group: string, ordering: Ordering): string {
    const counter = `${group}|${ordering}`;
    const k = (n.issued.get(counter) ?? 0) + 1;
    n.issued.set(counter, k);
    return `${n.key}/${group}/${ordering}/${k}`;
  }

  at(time: number, fn: () => void): void {
    this.queue.push(time, { kind: 'call', fn });
  }

  runUntil(time: number): void {
    while (this.queue.peekTime() <= time) {
      const event = this.queue.pop()!;
      this.now = event.time;
      this.handle(event.item);
    }
    this.now = time;
  }

  /** Running processes (not crashed, not excluded) are all members of one view whose members are exactly them. */
  settled(): boolean {
    const up = this.nodes.filter((n) => n.alive);
    if (up.length === 0 || up.some((n) => n.core!.state !== 'member')) return false;
    const view = up[0].core!.systemView!;
    if (up.some((n) => n.core!.systemView!.id !== view.id)) return false;
    const keys = new Set(view.members.map(processKey));
    return keys.size === up.length && up.every((n) => keys.has(n.key));
  }

  pendingRequests(): number {
    return this.nodes.reduce((sum, n) => sum + (n.core ? n.requests.size : 0), 0);
  }

  leaderNode(): SimNode | undefined {
    const holder = this.newestViewHolder();
    return holder && this.byAddress.get(holder.core!.systemView!.members[0].address);
  }

  /** Members (address#incarnation) of the newest system view any running process installed, oldest first; the
   *  others catch up to it. Empty before the system is founded. */
  newestMembers(): string[] {
    return this.newestViewHolder()?.core!.systemView!.members.map(processKey) ?? [];
  }

  /** The membership service of the newest view, as its holder computes it from its configured size. */
  newestService(): Set<string> {
    return new Set(this.newestViewHolder()?.core!.serviceMembers.map(processKey) ?? []);
  }

  private newestViewHolder(): SimNode | undefined {
    const holders = this.nodes.filter((n) => n.alive && n.core!.systemView);
    if (holders.length === 0) return undefined;
    return holders.reduce((a, b) => (b.core!.systemView!.id > a.core!.systemView!.id ? b : a));
  }

  private request(n: SimNode, r: SimRequest): void {
    if (!n.core || n.paused) return;
    const requestId = this.nextRequestId++;
    n.requests.set(requestId, r);
    const nowMs = this.localTime(n);
    if (r.kind === 'multicast') {
      const payload = payloadOf(r.id, r.payloadBytes);
      this.stepNode(n, {
        type: 'multicast',
        group: r.group,
        ordering: r.ordering,
        requestId,
        payload,
        nowMs,
      });
    } else {
      this.stepNode(n, { type: r.kind, group: r.group, requestId, nowMs });
    }
  }

  /** The frame bound of the simulated transport: the payload bound plus the header allowance, as in the runtime. */
  private get maxFrameBytes(): number {
    const payload = this.options.bounds?.maxPayloadBytes ?? SIM_CORE_BOUNDS.maxPayloadBytes;
    return payload + SIM_HEADER_ALLOWANCE_BYTES;
  }

  private handle(event: SimEvent): void {
    if (event.kind === 'call') return event.fn();
    if (event.kind === 'tick') {
      const n = this.node(event.node);
      if (!n.core || n.incarnation !== event.incarnation || n.paused) return;
      this.stepNode(n, { type: 'tick', nowMs: this.localTime(n) });
      return this.scheduleTick(n);
    }
    const n = this.node(event.to);
    if (!n.core) return;
    if (n.paused) {
      n.held.push(event.bytes);
      return;
    }
    // Every message crosses the wire as bytes: the codec is exercised on every hop.
    const message = decodeMessage(event.bytes);
    this.stepNode(n, {
      type: 'receive',
      fromAddress: message.from.address,
      message,
      nowMs: this.localTime(n),
    });
  }

  private scheduleTick(n: SimNode): void {
    const interval = (this.options.bounds?.tickIntervalMs ?? SIM_CORE_BOUNDS.tickIntervalMs) / n.clockRate;
    this.queue.push(this.now + interval, { kind: 'tick', node: n.index, incarnation: n.incarnation });
  }

  /** Each node's clock runs at its own rate from its own offset: slow and fast clocks. */
  private localTime(n: SimNode): number {
    return Math.floor(n.clockOffsetMs + this.now * n.clockRate);
  }

  private stepNode(n: SimNode, input: Parameters<ProcessCore['step']>[0]): void {
    const core = n.core!;
    let previous = core.systemView;
    const outputs = core.step(input);
    for (const v of core.takeInstalledViews()) {
      if (previous === null) n.era = v.id === 1 ? ++this.era : this.era;
      this.history.systemViews.push({
        process: n.key,
        id: eraViewId(n, v.id),
        members: v.members.map(processKey),
      });
      this.wire.installed(n.pid, v, previous);
      previous = v;
    }
    for (const o of outputs) this.apply(n, o);
  }

  private apply(n: SimNode, o: CoreOutput): void {
    // A crash triggered halfway through one step's outputs: the rest never leaves the machine.
    if (!n.core) return;
    this.onOutput?.(n, o);
    switch (o.type) {
      case 'send':
        return this.send(n, o.toAddress, o.message);
      case 'deliver': {
        const id = idOf(o.payload);
        const d = {
          receiver: n.key,
          group: o.group,
          viewId: eraViewId(n, o.viewId),
          sender: processKey(o.sender),
          ordering: o.ordering,
          id,
        };
        this.history.deliveries.push(d);
        this.history.timeline.push({ kind: 'deliver', process: n.key, group: o.group, id });
        return;
      }
      case 'view':
        this.history.groupViews.push({
          process: n.key,
          group: o.group,
          viewId: eraViewId(n, o.view.id),
          members: o.view.members.map(processKey),
        });
        this.history.timeline.push({
          kind: 'view',
          process: n.key,
          group: o.group,
          viewId: eraViewId(n, o.view.id),
        });
        return;
      case 'requestDone':
        return this.requestDone(n, o.requestId);
      case 'requestFailed':
        n.requests.delete(o.requestId);
        return;
      case 'excluded':
        if (o.error.code === 'INVARIANT')
          this.history.notes.push(`${n.key} stopped on a broken invariant: ${o.error.message}`);
        return this.excluded(n, o.error.name);
      case 'disconnect':
      case 'systemView':
        return;
    }
  }

  private requestDone(n: SimNode, requestId: number): void {
    const r = n.requests.get(requestId);
    n.requests.delete(requestId);
    if (!r) return;
    if (r.kind === 'join') n.groups.add(r.group);
    if (r.kind === 'leave') {
      n.groups.delete(r.group);
      const last = this.history.groupViews.findLast((g) => g.process === n.key && g.group === r.group);
      if (last) this.history.groupLeaves.add(`${n.key}|${r.group}|${last.viewId}`);
    }
    if (r.kind !== 'multicast') return;
    const counter = `${r.group}|${r.ordering}`;
    const index = (n.accepted.get(counter) ?? 0) + 1;
    n.accepted.set(counter, index);
    this.history.sent.set(r.id, { id: r.id, sender: n.key, group: r.group, ordering: r.ordering, index });
  }

  private excluded(n: SimNode, why: string): void {
    this.history.excluded.set(n.key, this.now);
    this.history.exclusionErrors.set(n.key, why);
    const delay = this.options.restartAfterExclusionMs;
    if (delay === null || delay === undefined) return;
    const incarnation = n.incarnation;
    this.at(this.now + delay, () => {
      if (n.incarnation === incarnation && n.core?.state === 'gone') this.start(n.index);
    });
  }

  private send(from: SimNode, toAddress: string, message: WireMessage): void {
    const to = this.byAddress.get(toAddress);
    if (!to) return;
    const arrivals = this.network.arrivals(from.index, to.index);
    // Encoded even when lost, so every message the core emits is proven encodable.
    const bytes = encodeMessage(message);
    if (bytes.length > this.maxFrameBytes) {
      // The transport would refuse it (MessageTooLargeError): a protocol message must never need a larger frame.
      this.history.notes.push(
        `${from.key} sent a ${message.body.kind} of ${bytes.length} bytes, above the frame bound ${this.maxFrameBytes}`,
      );
      return;
    }
    this.wire.sent(from.pid, from.core?.systemView ?? null, message);
    for (const delay of arrivals) this.queue.push(this.now + delay, { kind: 'message', to: to.index, bytes });
    this.onSend?.(from, message);
  }
}

/** Views of different systems (eras) must not be compared: the history numbers them era × ERA_VIEW_SPAN + view id. The
 *  first system's views keep their own ids. */
export const ERA_VIEW_SPAN = 1_000_000;

function eraViewId(n: SimNode, id: number): number {
  return Math.max(0, n.era - 1) * ERA_VIEW_SPAN + id;
}

/** A multicast's payload: its id in UTF-8, then zero bytes up to `payloadBytes`. */
function payloadOf(id: string, payloadBytes: number): Uint8Array {
  const text = new TextEncoder().encode(id);
  if (payloadBytes <= text.length) return text;
  const payload = new Uint8Array(payloadBytes);
  payload.set(text);
  return payload;
}

function idOf(payload: Uint8Array): string {
  const end = payload.indexOf(0);
  return new TextDecoder().decode(end < 0 ? payload : payload.subarray(0, end));
}

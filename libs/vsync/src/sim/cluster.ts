import {
  type CoreConfig,
  type CoreInput,
  type CoreOutput,
  type Ordering,
  ProcessCore,
  type ProcessId,
  type QueryReply,
  type QueryWant,
  type ReplyOutcome,
  type TimeoutAction,
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
import type { SimPayloads } from './secure-groups';

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

/** How a join request that succeeded ends in the history (a failed one ends with its error's name and message). */
export const JOINED = 'joined';

/** Bytes of envelope and record metadata a frame holds next to the payload bound (the runtime's allowance). */
export const SIM_HEADER_ALLOWANCE_BYTES = 4_096;

type SimEvent =
  | { readonly kind: 'tick'; readonly node: number; readonly incarnation: number }
  | { readonly kind: 'message'; readonly to: number; readonly bytes: Uint8Array }
  | { readonly kind: 'call'; readonly fn: () => void };

/** How a member answers a query request it delivered; 'silent' never answers. */
export type SimAnswer = { readonly outcome: ReplyOutcome; readonly delayMs: number } | 'silent';

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
  /** Decides how a member answers each query request it delivers (default: a value at once). */
  answerOf: (responder: SimNode) => SimAnswer = () => ({ outcome: 'value', delayMs: 0 });
  /** Called with every output a process emits, in order, before the history records it (applications hook in here). */
  onOutput: ((node: SimNode, output: CoreOutput) => void) | null = null;
  /** Group keys of a run with a secured group (secure-groups.ts): the cores' guards, payload seals and checks. */
  payloads: SimPayloads | null = null;
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
    this.endJoins(n, 'stopped');
    n.incarnation++;
    n.requests.clear();
    n.groups.clear();
    n.paused = false;
    n.held.length = 0;
    const seeds = this.nodes.map((x) => x.address);
    // Default founding, as a supervisor restarts a process with unchanged options: node 1, the first seed, founds
    // only if no seed reports a running system, so its restart must join the system it left.
    const config = { ...SIM_CORE_BOUNDS, ...this.options.bounds, self: n.pid, seeds, founder };
    n.core = new ProcessCore(config, this.payloads?.guard(n));
    this.stepNode(n, { type: 'start', nowMs: this.localTime(n) });
    this.scheduleTick(n);
  }

  crash(index: number): void {
    const n = this.node(index);
    if (!n.core) return;
    this.history.crashed.set(n.key, this.now);
    this.endJoins(n, 'stopped');
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

  /** Feeds one input to the incarnation `incarnation` of a node, as a runtime does with its storage's answers (a
   *  safeSend log write done): dropped if that incarnation is gone, and retried shortly while the node is paused. */
  feed(index: number, incarnation: number, make: (nowMs: number) => CoreInput): void {
    const n = this.node(index);
    if (!n.core || n.incarnation !== incarnation) return;
    if (n.paused) return this.at(this.now + 10, () => this.feed(index, incarnation, make));
    this.stepNode(n, make(this.localTime(n)));
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
    this.request(n, { kind: 'multicast', group, ordering, id, payloadBytes, index: 0 });
    return id;
  }

  /** A query from node `index`: a multicast request (fifo or total) to the group, or p2p to `to`. Its payload is its
   *  id; each answerer's value reply is its own process key, so the checker can tell who wrote each reply. */
  query(
    index: number,
    group: string,
    ordering: Ordering | 'p2p',
    want: QueryWant,
    onTimeout: TimeoutAction,
    timeoutMs: number,
    to?: ProcessId,
  ): string {
    const n = this.node(index);
    const k = (n.issued.get(`${group}|query`) ?? 0) + 1;
    n.issued.set(`${group}|query`, k);
    const id = `${n.key}/${group}/q-${ordering}/${k}`;
    const r = { kind: 'query' as const, group, ordering, id, want, onTimeout, index: 0 };
    this.history.queries.set(id, {
      id,
      querier: n.key,
      group,
      ordering,
      target: to ? processKey(to) : null,
      want,
      onTimeout,
    });
    this.request(n, r, { timeoutMs, to });
    return id;
  }

  /** Several multicasts to one group in one input, as the runtime feeds those issued in one event-loop turn. */
  multicastBatch(index: number, group: string, orderings: readonly Ordering[], payloadBytes = 0): string[] {
    const n = this.node(index);
    if (!n.core || n.paused) return [];
    const ids = orderings.map((ordering) => this.multicastId(n, group, ordering));
    const issued: SimRequest[] = [];
    const multicasts = ids.map((id, i) => {
      const requestId = this.nextRequestId++;
      const ordering = orderings[i];
      const r: SimRequest = {
        kind: 'multicast',
        group,
        ordering,
        id,
        payloadBytes,
        index: this.number(n, group, ordering),
      };
      n.requests.set(requestId, r);
      issued.push(r);
      return { requestId, ordering, payload: this.payloadOf(n, group, id, payloadBytes) };
    });
    this.stepNode(n, { type: 'multicastBatch', group, multicasts, nowMs: this.localTime(n) });
    this.renumberRefused(n, issued);
    return ids;
  }

  /** Numbers a sender's messages of one group and ordering in issue order, which is the order they enter the send
   *  window (the core's queue is FIFO and is only ever failed whole, at a view without the group). */
  private number(n: SimNode, group: string, ordering: Ordering): number {
    const counter = `${group}|${ordering}`;
    const index = (n.accepted.get(counter) ?? 0) + 1;
    n.accepted.set(counter, index);
    return index;
  }

  /** Requests refused in the step that issued them (a full queue refuses a suffix) give their numbers back. */
  private renumberRefused(n: SimNode, issued: readonly SimRequest[]): void {
    for (const r of [...issued].reverse()) {
      if ((r.kind !== 'multicast' && r.kind !== 'query') || r.ordering === 'p2p' || !n.refused.has(r.id))
        return;
      const counter = `${r.group}|${r.ordering}`;
      if (n.accepted.get(counter) === r.index) n.accepted.set(counter, r.index - 1);
    }
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

  private request(n: SimNode, r: SimRequest, query?: { timeoutMs: number; to?: ProcessId }): void {
    if (!n.core || n.paused) return;
    const requestId = this.nextRequestId++;
    if ((r.kind === 'multicast' || r.kind === 'query') && r.ordering !== 'p2p')
      r.index = this.number(n, r.group, r.ordering);
    n.requests.set(requestId, r);
    if (r.kind === 'join') {
      const record = {
        process: n.key,
        group: r.group,
        askedMs: this.now,
        endedMs: null,
        outcome: null,
        membersAtEnd: [],
      };
      this.history.joinRequests.set(`${n.key}|${requestId}`, record);
    }
    const nowMs = this.localTime(n);
    if (r.kind === 'query') {
      const { timeoutMs, to } = query!;
      const target = r.ordering === 'p2p' ? { to: to! } : { ordering: r.ordering };
      const payload = this.payloadOf(n, r.group, r.id, 0);
      const { group, want, onTimeout } = r;
      this.stepNode(n, {
        type: 'query',
        group,
        requestId,
        target,
        payload,
        want,
        timeoutMs,
        onTimeout,
        nowMs,
      });
      this.renumberRefused(n, [r]);
    } else if (r.kind === 'multicast') {
      const payload = this.payloadOf(n, r.group, r.id, r.payloadBytes);
      this.stepNode(n, {
        type: 'multicast',
        group: r.group,
        ordering: r.ordering,
        requestId,
        payload,
        nowMs,
      });
      this.renumberRefused(n, [r]);
    } else {
      this.stepNode(n, { type: r.kind, group: r.group, requestId, nowMs });
    }
  }

  /** A message's payload, sealed in a secured group (and padded less, so the seal still fits maxPayloadBytes). */
  private payloadOf(n: SimNode, group: string, id: string, payloadBytes: number): Uint8Array {
    if (this.payloads === null) return payloadOf(id, payloadBytes);
    const max = this.options.bounds?.maxPayloadBytes ?? SIM_CORE_BOUNDS.maxPayloadBytes;
    const room = max - this.payloads.overheadBytes(group);
    return this.payloads.seal(n, group, payloadOf(id, Math.min(payloadBytes, room)));
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
        groups: new Map(v.groups.map((g) => [g.name, g.members.map(processKey)])),
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
        const payload = this.payloads ? this.payloads.open(n, o.group, o.sender, o.payload) : o.payload;
        // Refused by the receiver's runtime (not sealed with the group key): never delivered, never answered.
        if (payload === undefined) return;
        const id = idOf(payload);
        if (o.queryId !== 0) this.answer(n, o.sender, o.queryId);
        if (o.ordering === 'p2p') return void this.history.p2pDelivered.add(`${n.key}|${id}`);
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
          viewId: eraViewId(n, o.view.systemViewId),
          members: o.view.members.map(processKey),
          groupViewId: o.view.id,
          entered: o.view.joined.some((j) => processKey(j) === n.key),
          founded:
            o.view.joined.length === o.view.members.length && o.view.left.length + o.view.failed.length === 0,
        });
        this.history.timeline.push({
          kind: 'view',
          process: n.key,
          group: o.group,
          viewId: eraViewId(n, o.view.systemViewId),
        });
        return;
      case 'requestDone':
        return this.requestDone(n, o.requestId);
      case 'requestFailed':
        return this.requestFailed(n, o.requestId, o.error.name, o.error.message);
      case 'querySent':
        return this.querySent(n, o.requestId);
      case 'queryDone':
        return this.queryDone(n, o.requestId, o.replies, o.silent);
      case 'excluded':
        if (o.error.code === 'INVARIANT')
          this.history.notes.push(`${n.key} stopped on a broken invariant: ${o.error.message}`);
        return this.excluded(n, o.error.name);
      case 'disconnect':
      case 'systemView':
      case 'persist':
        return;
    }
  }

  private requestDone(n: SimNode, requestId: number): void {
    const r = n.requests.get(requestId);
    n.requests.delete(requestId);
    if (!r) return;
    if (r.kind === 'join') this.endJoin(n, requestId, JOINED);
    if (r.kind === 'join') n.groups.add(r.group);
    if (r.kind === 'leave') {
      n.groups.delete(r.group);
      const last = this.history.groupViews.findLast((g) => g.process === n.key && g.group === r.group);
      if (last) this.history.groupLeaves.add(`${n.key}|${r.group}|${last.viewId}`);
    }
    if (r.kind !== 'multicast') return;
    this.history.sent.set(r.id, {
      id: r.id,
      sender: n.key,
      group: r.group,
      ordering: r.ordering,
      index: r.index,
    });
  }

  private requestFailed(n: SimNode, requestId: number, error: string, message: string): void {
    const r = n.requests.get(requestId);
    n.requests.delete(requestId);
    if (r?.kind === 'join')
      this.endJoin(n, requestId, message.startsWith(error) ? message : `${error}: ${message}`);
    if (r === undefined || (r.kind !== 'multicast' && r.kind !== 'query')) return;
    n.refused.add(r.id);
    if (r.kind !== 'query') return;
    const viewId = eraViewId(n, n.core?.systemView?.id ?? 0);
    this.history.queryEnds.set(r.id, { id: r.id, answerers: [], silent: [], error, viewId });
    this.history.timeline.push({ kind: 'queryEnd', process: n.key, group: r.group, id: r.id });
  }

  private endJoin(n: SimNode, requestId: number, outcome: string): void {
    const record = this.history.joinRequests.get(`${n.key}|${requestId}`);
    if (record === undefined || record.endedMs !== null) return;
    record.endedMs = this.now;
    record.outcome = outcome;
    const g = n.core?.systemView?.groups.find((x) => x.name === record.group);
    record.membersAtEnd = g?.members.map(processKey) ?? [];
  }

  /** A crash or restart ends every join request the incarnation still had pending. */
  private endJoins(n: SimNode, outcome: string): void {
    for (const [requestId, r] of n.requests) if (r.kind === 'join') this.endJoin(n, requestId, outcome);
  }

  /** A query's multicast request entered the window: from here on it is a message like any multicast. */
  private querySent(n: SimNode, requestId: number): void {
    const r = n.requests.get(requestId);
    if (r?.kind !== 'query' || r.ordering === 'p2p') return;
    const { id, group, ordering, index } = r;
    this.history.sent.set(id, { id, sender: n.key, group, ordering, index });
  }

  private queryDone(
    n: SimNode,
    requestId: number,
    replies: readonly QueryReply[],
    silent: readonly ProcessId[],
  ): void {
    const r = n.requests.get(requestId);
    n.requests.delete(requestId);
    if (r?.kind !== 'query') return;
    const answerers = replies.map((x) => ({
      from: processKey(x.from),
      named: x.outcome === 'value' ? new TextDecoder().decode(x.payload) : null,
    }));
    const viewId = eraViewId(n, n.core!.systemView!.id);
    this.history.queryEnds.set(r.id, {
      id: r.id,
      answerers,
      silent: silent.map(processKey),
      error: null,
      viewId,
    });
    this.history.timeline.push({ kind: 'queryEnd', process: n.key, group: r.group, id: r.id });
  }

  /** The responder's runtime: answers (its own key as the value) after the chosen delay, from a later event. */
  private answer(n: SimNode, querier: ProcessId, queryId: number): void {
    const how = this.answerOf(n);
    if (how === 'silent') return;
    const incarnation = n.incarnation;
    const payload = new TextEncoder().encode(
      how.outcome === 'abort' ? 'declined' : how.outcome === 'null' ? '' : n.key,
    );
    this.at(this.now + how.delayMs, () => {
      if (!n.core || n.incarnation !== incarnation || n.paused) return;
      const { outcome } = how;
      this.stepNode(n, { type: 'reply', querier, queryId, outcome, payload, nowMs: this.localTime(n) });
    });
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

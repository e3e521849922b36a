import type { Ordering, QueryWant, TimeoutAction } from '../protocol';
import { Cluster, SIM_CORE_BOUNDS, type SimAnswer, type SimNode } from './cluster';
import { checkInvariants } from './invariants';
import type { Prng } from './prng';
import { CALM_NETWORK } from './sim-network';
import { SECURE_SHARE, SecureGroups } from './secure-groups';

/** Fault knobs: each one fixes what the seed would otherwise choose, so a failing case can be explored. */
export interface FaultKnobs {
  /** Processes, 2..7 (default 2 + seed % 6). */
  readonly nodes?: number;
  /** membershipServiceSize, 1..9 (default from the seed's next digit). */
  readonly serviceSize?: number;
  /** Groups the workload uses, 1..6 (default 2..4). */
  readonly groups?: number;
  readonly lossRate?: number;
  readonly duplicateRate?: number;
  readonly jitterMs?: number;
  /** Whether partitions (symmetric and one-way) are among the faults (default true). */
  readonly partitions?: boolean;
  /** Whether paused processes (stopped, then resumed) are among the faults (default true). */
  readonly pauses?: boolean;
  /** Faults injected during the fault phase, 0..20 (default 1..4). */
  readonly crashBudget?: number;
  /** Largest multicast payload, at most the simulated maxPayloadBytes (default that bound). */
  readonly maxPayloadBytes?: number;
  /** Share of multicasts padded to a random size up to maxPayloadBytes (default 0.3). */
  readonly largePayloadShare?: number;
  /** Share of the workload's actions that are queries (multicast, ordered or p2p) rather than multicasts (default
   *  0.15). */
  readonly queryShare?: number;
  /** Share of runs with a secured group and a keyless or wrong-key intruder (default 0.25). */
  readonly secureShare?: number;
  /** Share of runs that are safety-only: one fault beyond what the membership service survives (an even split of the
   *  service, or the loss of its majority); liveness is then not demanded (default 0.1). */
  readonly safetyOnlyShare?: number;
}

export interface RunResult {
  readonly seed: number;
  readonly nodes: number;
  /** The run's membershipServiceSize: views are decided by a majority of their oldest this many members. */
  readonly serviceSize: number;
  readonly violations: readonly string[];
  /** Whether the run carried a fault beyond the service's tolerance (liveness was not checked). */
  readonly safetyOnly: boolean;
  readonly stats: {
    readonly sent: number;
    readonly delivered: number;
    readonly views: number;
    readonly faults: readonly string[];
    readonly simulatedMs: number;
    /** Most of one sender's messages seen in flight in one group epoch (the window bounds it). */
    readonly maxInFlightMessages: number;
  };
}

/** How long faults are injected, and how long the system then gets to settle (the liveness bound). */
const FAULT_PHASE_MS = 4_000;
const SETTLE_DEADLINE_MS = 10_000;
const DRAIN_MS = 800;
const DRIVER_INTERVAL_MS = 25;
const RESTART_AFTER_EXCLUSION_MS = 150;
/** A fault's after-effects (late suspicion reports, exclusions) show up to a failure timeout later: the fault budget
 *  is only restored after the cluster has stayed calm this long. */
const CALM_BEFORE_RESET_MS = 700;
const RETRY_FAULT_MS = 100;
const MAX_OUTSTANDING_MULTICASTS = 12;
/** Largest burst of multicasts the workload issues in one input. */
const MAX_BURST_MULTICASTS = 5;
/** Share of multicasts padded to a random size up to maxPayloadBytes: enough that unstable backlogs often exceed one
 *  frame, so view changes must split what they carry. */
const LARGE_PAYLOAD_SHARE = 0.3;
const SAFETY_ONLY_SHARE = 0.1;
const QUERY_SHARE = 0.15;
/** Long enough for a crashed responder to be removed by a view change first (failure timeout plus a view change), so
 *  a crash mostly shows as a query completing with the survivors rather than as a timeout. */
const QUERY_TIMEOUT_MS = 2_500;
const QUERY_WANTS: readonly QueryWant[] = [1, 2, 'majority', 'all', 'all'];
/** How members answer query requests: mostly at once, some late, a few null, silent or aborting. */
const ANSWER_MIX: readonly [number, SimAnswer | 'late'][] = [
  [0.84, { outcome: 'value', delayMs: 0 }],
  [0.08, 'late'],
  [0.04, { outcome: 'null', delayMs: 0 }],
  [0.03, 'silent'],
  [0.01, { outcome: 'abort', delayMs: 0 }],
];
/** How long a safety-only run goes on after the fault phase (its in-flight changes end or stall). */
const SAFETY_ONLY_TAIL_MS = 2_000;
/** How long a paused process stays stopped: from well below to well above the failure timeout. */
const PAUSE_MS = [100, 1_200] as const;

/** Membership service sizes a run picks from: smaller than, equal to and larger than the node counts (3..7). */
const SERVICE_SIZES = [3, 4, 5, 6, 7] as const;

/** One randomized run from a seed: workload, network faults, crashes, pauses, partitions, clock skew; then the
 *  invariants. `knobs` fix any choice the seed would make (a number alone is the node count). */
export function runSeed(seed: number, knobs: FaultKnobs | number = {}): RunResult {
  const k: FaultKnobs = typeof knobs === 'number' ? { nodes: knobs } : knobs;
  const nodes = k.nodes ?? 2 + (seed % 6);
  // Drawn from the seed's next digit in base 5, independent of the node count (seed % 6): every pairing of node count
  // and service size recurs once every 30 seeds, and many have more nodes than service members.
  const serviceSize = k.serviceSize ?? SERVICE_SIZES[Math.floor(seed / 6) % SERVICE_SIZES.length];
  const cluster = new Cluster({ seed, nodes, bounds: { membershipServiceSize: serviceSize } });
  const run = new RandomRun(cluster, cluster.prng, serviceSize, k);
  cluster.answerOf = () => run.answer();
  return run.execute(seed, nodes);
}

class RandomRun {
  private readonly plans = new Map<number, Set<string>>();
  private readonly faults: string[] = [];
  /** Service members disrupted since the cluster was last calm (see cost); fewer than half of the membership service
   *  may be, or no majority of it is left to decide anything and every process leaves for good. */
  private disrupted = Number.MAX_SAFE_INTEGER; // no fault before the cluster first formed and stayed calm
  private faultsOn = true;
  private lastUncalmMs = 0;
  private readonly groups: readonly string[];
  private readonly safetyOnly: boolean;
  /** The run's secured group and its intruder, if it has one. */
  private secure: SecureGroups | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly prng: Prng,
    private readonly serviceSize: number,
    private readonly knobs: FaultKnobs,
  ) {
    const groups = knobs.groups ?? prng.int(2, 4);
    this.groups = Array.from({ length: groups }, (_, i) => `g${i}`);
    this.safetyOnly = prng.chance(knobs.safetyOnlyShare ?? SAFETY_ONLY_SHARE);
  }

  execute(seed: number, nodes: number): RunResult {
    this.configure(seed);
    this.scheduleFaults();
    this.cluster.runUntil(FAULT_PHASE_MS);
    // After a fault beyond tolerance nothing can be decided any more: only what happened so far is judged.
    let unsettled: string | null = null;
    if (this.safetyOnly) this.cluster.runUntil(FAULT_PHASE_MS + SAFETY_ONLY_TAIL_MS);
    else unsettled = this.settle();
    const h = this.cluster.history;
    const survivors = new Set(this.cluster.nodes.filter((n) => n.core?.state === 'member').map((n) => n.key));
    const checkLiveness = !this.safetyOnly;
    const wire = this.cluster.wire;
    const violations = checkInvariants({ history: h, survivors, checkLiveness, unsettled, wire });
    if (this.secure !== null) violations.unshift(...this.secure.violations(h));
    const stats = {
      sent: h.sent.size,
      delivered: h.deliveries.length,
      views: new Set(h.systemViews.map((v) => v.id)).size,
      faults: this.faults,
      simulatedMs: this.cluster.now,
      maxInFlightMessages: wire.maxInFlightMessages,
    };
    const safetyOnly = this.safetyOnly;
    return { seed, nodes, serviceSize: this.serviceSize, violations, safetyOnly, stats };
  }

  private configure(seed: number): void {
    const c = this.cluster;
    const p = this.prng;
    const k = this.knobs;
    this.secureRun(seed);
    c.network.faults = {
      lossRate: k.lossRate ?? p.pick([0, 0.01, 0.05]),
      duplicateRate: k.duplicateRate ?? p.pick([0, 0.02, 0.1]),
      baseDelayMs: p.pick([0.2, 1, 3]),
      jitterMs: k.jitterMs ?? p.pick([0.5, 5, 25]),
    };
    this.faults.push(
      `membership service ${this.serviceSize}; ${this.groups.length} groups; net loss=${c.network.faults.lossRate} dup=${c.network.faults.duplicateRate} jitter=${c.network.faults.jitterMs}${this.safetyOnly ? '; safety-only' : ''}`,
    );
    for (const n of c.nodes) {
      if (p.chance(0.5)) n.clockRate = 0.9 + p.next() * 0.2;
      n.clockOffsetMs = p.int(0, 100_000);
      const plan = new Set<string>(this.groups.filter((_, i) => p.chance(i === 0 ? 0.9 : 0.5)));
      if (this.secure?.intruder === n) plan.delete(this.secure.group);
      this.plans.set(n.index, plan);
      c.at(n.index === 1 ? 0 : p.int(0, 300), () => this.boot(n));
    }
    c.at(FAULT_PHASE_MS - 1, () => this.stopFaults());
  }

  /** A secured group whose keyless (or wrong-key) intruder tries to join, read and inject (secure-groups.ts). */
  private secureRun(seed: number): void {
    const c = this.cluster;
    this.secure = SecureGroups.plan(seed, this.knobs.secureShare ?? SECURE_SHARE, this.groups, c.nodes);
    if (this.secure === null) return;
    c.payloads = this.secure;
    this.faults.push(this.secure.describe());
    this.secure.attack(
      {
        get now() {
          return c.now;
        },
        at: (time, fn) => c.at(time, fn),
        join: (index, group) => c.join(index, group),
        leave: (index, group) => c.leave(index, group),
        multicast: (index, group, ordering) => c.multicast(index, group, ordering),
        injectP2p: (index, group, to, timeoutMs) =>
          void c.query(index, group, 'p2p', 1, 'abort', timeoutMs, to),
      },
      FAULT_PHASE_MS,
    );
  }

  private boot(n: SimNode): void {
    this.cluster.start(n.index);
    this.drive(n, n.incarnation);
  }

  /** Per-node workload: join the planned groups, multicast while faults run, now and then leave and rejoin a group. */
  private drive(n: SimNode, incarnation: number): void {
    const c = this.cluster;
    if (n.incarnation !== incarnation) return;
    if (n.core?.state === 'gone') {
      // Excluded: restart as a new incarnation, as the runtime would.
      c.at(c.now + RESTART_AFTER_EXCLUSION_MS, () => n.incarnation === incarnation && this.boot(n));
      return;
    }
    if (n.core?.state === 'member' && !n.paused) this.act(n);
    if (!this.calm()) this.lastUncalmMs = c.now;
    else if (c.now - this.lastUncalmMs >= CALM_BEFORE_RESET_MS) this.disrupted = 0;
    c.at(c.now + DRIVER_INTERVAL_MS * (0.5 + this.prng.next()), () => this.drive(n, incarnation));
  }

  private act(n: SimNode): void {
    const c = this.cluster;
    const pendingGroupOps = [...n.requests.values()].filter(
      (r) => r.kind === 'join' || r.kind === 'leave',
    ).length;
    const multicasts = n.requests.size - pendingGroupOps;
    if (pendingGroupOps > 0) return;
    for (const g of this.plans.get(n.index)!) if (!n.groups.has(g)) return c.join(n.index, g);
    if (!this.faultsOn || n.groups.size === 0) return;
    if (this.prng.chance(0.01)) return c.leave(n.index, this.prng.pick([...n.groups]));
    if (multicasts >= MAX_OUTSTANDING_MULTICASTS) return;
    const group = this.prng.pick([...n.groups]);
    if (this.prng.chance(this.knobs.queryShare ?? QUERY_SHARE)) return this.ask(n, group);
    const ordering = (): Ordering => (this.prng.chance(0.5) ? 'total' : 'fifo');
    // Now and then a burst issued in one turn, which the core packs into one data message per member.
    if (this.prng.chance(0.25)) {
      const size = this.prng.int(2, MAX_BURST_MULTICASTS);
      c.multicastBatch(n.index, group, Array.from({ length: size }, ordering), this.payloadBytes());
    } else c.multicast(n.index, group, ordering(), this.payloadBytes());
  }

  /** A query: FIFO or ordered to the whole group, or p2p to one member of any group (a client calling a group it is
   *  not in). 'declareFailed' can exclude a live but silent member, so it is charged to the fault budget. */
  private ask(n: SimNode, ownGroup: string): void {
    const c = this.cluster;
    const kind = this.prng.pick(['fifo', 'total', 'p2p'] as const);
    const want = this.prng.pick(QUERY_WANTS);
    let onTimeout: TimeoutAction = this.prng.pick(['abort', 'nullReply'] as const);
    if (this.prng.chance(0.05) && this.budget() > 0) {
      onTimeout = 'declareFailed';
      this.disrupted += 1;
    }
    if (kind !== 'p2p') return void c.query(n.index, ownGroup, kind, want, onTimeout, QUERY_TIMEOUT_MS);
    const groups = n.core!.systemView!.groups.filter((g) => g.members.length > 0);
    if (groups.length === 0) return;
    const g = this.prng.pick(groups);
    c.query(n.index, g.name, 'p2p', 1, onTimeout, QUERY_TIMEOUT_MS, this.prng.pick(g.members));
  }

  /** How one member answers one query request it delivered. */
  answer(): SimAnswer {
    let roll = this.prng.next();
    for (const [share, how] of ANSWER_MIX) {
      roll -= share;
      if (roll < 0) return how === 'late' ? { outcome: 'value', delayMs: this.prng.int(20, 600) } : how;
    }
    return { outcome: 'value', delayMs: 0 };
  }

  private payloadBytes(): number {
    const max = Math.min(this.knobs.maxPayloadBytes ?? Infinity, SIM_CORE_BOUNDS.maxPayloadBytes);
    return this.prng.chance(this.knobs.largePayloadShare ?? LARGE_PAYLOAD_SHARE) ? this.prng.int(0, max) : 0;
  }

  private scheduleFaults(): void {
    const count = this.knobs.crashBudget ?? this.prng.int(1, 4);
    for (let i = 0; i < count; i++) {
      const at = this.prng.int(700, FAULT_PHASE_MS - 1_000);
      this.cluster.at(at, () => this.inject());
    }
    if (this.safetyOnly)
      this.cluster.at(this.prng.int(1_200, FAULT_PHASE_MS - 800), () => this.beyondTolerance());
  }

  /** The fault of a safety-only run: an even split of the membership service (no side holds a majority), or the
   *  crash of a majority of it. Nothing can be decided afterwards; what was decided must still be consistent. */
  private beyondTolerance(): void {
    const c = this.cluster;
    const service = [...c.newestService()];
    const nodes = c.nodes.filter((n) => service.includes(n.key));
    if (nodes.length < 2) return;
    if (nodes.length % 2 === 0 && this.prng.chance(0.7)) return this.evenSplit(nodes);
    const victims = [...nodes].sort(() => this.prng.next() - 0.5).slice(0, Math.floor(nodes.length / 2) + 1);
    for (const v of victims) this.crashAndRestart(v, 'service-majority-loss');
  }

  private evenSplit(service: readonly SimNode[]): void {
    const c = this.cluster;
    const shuffled = [...service].sort(() => this.prng.next() - 0.5);
    const side = new Set(shuffled.slice(0, service.length / 2));
    for (const n of c.nodes) if (!service.includes(n) && this.prng.chance(0.5)) side.add(n);
    for (const a of side) for (const b of c.nodes) if (!side.has(b)) c.network.cut(a.index, b.index);
    for (const a of side) for (const b of c.nodes) if (!side.has(b)) c.network.cut(b.index, a.index);
    this.disrupted = Number.MAX_SAFE_INTEGER;
    this.faults.push(
      `even split of the service ${[...side].map((n) => n.index).join(',')} at ${Math.round(c.now)}`,
    );
    c.at(c.now + this.prng.int(600, 1_500), () => c.network.healAll());
  }

  /** Every node up and in one view, no partition and no armed crash: the previous faults are fully repaired. */
  private calm(): boolean {
    const c = this.cluster;
    return c.nodes.every((n) => n.alive && !n.paused) && c.settled() && !c.network.partitioned && !c.onSend;
  }

  private budget(): number {
    const service = Math.min(this.serviceSize, this.cluster.nodes.length);
    return Math.floor((service - 1) / 2) - this.disrupted;
  }

  /** What disrupting a node costs from the budget: 1 if it is, or may become, a member of the membership service,
   *  else 0. A node of the newest view ranked behind the service is free: it can only move into the service when a
   *  service member leaves the view, and that member's fault was paid for. A node outside the newest view (down,
   *  joining) pays, because it joins last but still lands in the service of a view smaller than the service. */
  private cost(n: SimNode): number {
    const c = this.cluster;
    if (!n.alive) return 1;
    const members = c.newestMembers();
    return members.includes(n.key) && !c.newestService().has(n.key) ? 0 : 1;
  }

  private inject(): void {
    if (!this.faultsOn) return;
    // No budget now (an earlier fault is still being repaired): try again a little later.
    if (this.budget() <= 0) return this.injectWithoutBudget();
    const kinds = ['crash', 'crash-leader', 'crash-mid-change', 'stop'] as string[];
    if (this.knobs.partitions !== false) kinds.push('partition', 'one-way');
    if (this.knobs.pauses !== false) kinds.push('pause');
    const kind = this.prng.pick(kinds);
    if (kind === 'partition' || kind === 'one-way') return this.partition(kind === 'one-way');
    if (kind === 'crash-mid-change') {
      // Whoever first sends that phase's message dies: the leader, a service member whenever a change can succeed.
      this.disrupted++;
      return this.crashMidChange();
    }
    const c = this.cluster;
    const alive = c.nodes.filter((n) => n.core);
    const victim =
      kind === 'crash-leader' ? (c.leaderNode() ?? this.prng.pick(alive)) : this.prng.pick(alive);
    this.disrupted += this.cost(victim);
    if (kind === 'stop') return this.stop(victim);
    if (kind === 'pause') return this.pause(victim);
    this.crashAndRestart(victim, kind);
  }

  /** A service too small to lose a vote (one or two members) still sees graceful stops, one at a time from calm: a
   *  leaver takes part in its own removal, so the other member of a two-process system goes on alone. */
  private injectWithoutBudget(): void {
    const c = this.cluster;
    const tiny = Math.min(this.serviceSize, c.nodes.length) <= 2;
    if (!tiny || this.disrupted > 0) return c.at(c.now + RETRY_FAULT_MS, () => this.inject());
    const up = c.nodes.filter((n) => n.alive);
    if (up.length === 0) return;
    this.disrupted = 1;
    this.stop(this.prng.pick(up));
  }

  /** Stops a process without killing it, then resumes it: shorter than the failure timeout it is merely late; longer,
   *  it is excluded and learns so when it resumes. */
  private pause(victim: SimNode): void {
    const c = this.cluster;
    const ms = this.prng.int(PAUSE_MS[0], PAUSE_MS[1]);
    this.faults.push(`pause node${victim.index} for ${ms} ms at ${Math.round(c.now)}`);
    c.pause(victim.index);
    c.at(c.now + ms, () => c.resume(victim.index));
  }

  /** A graceful stop (SIGTERM): the process leaves the system, and its driver restarts it once it is gone, as a
   *  supervisor would, with the same options. */
  private stop(victim: SimNode): void {
    this.faults.push(`stop node${victim.index} at ${Math.round(this.cluster.now)}`);
    this.cluster.shutdown(victim.index);
  }

  private crashAndRestart(victim: SimNode, why: string): void {
    const c = this.cluster;
    this.faults.push(`${why} node${victim.index} at ${Math.round(c.now)}`);
    c.crash(victim.index);
    const incarnation = victim.incarnation;
    c.at(c.now + this.prng.int(50, 800), () => {
      if (victim.incarnation === incarnation && !victim.core) this.boot(victim);
    });
  }

  /** Cuts off a random set of nodes holding at most the budget's worth of (possible) service members, so the rest keep
   *  a majority of the membership service; nodes ranked behind the service may all be cut off. */
  private partition(oneWay: boolean): void {
    const c = this.cluster;
    const budget = this.budget();
    const free = c.nodes.filter((n) => this.cost(n) === 0).length;
    const size = this.prng.int(1, budget + free);
    const shuffled = [...c.nodes].sort(() => this.prng.next() - 0.5);
    const isolated: SimNode[] = [];
    let cost = 0;
    for (const n of shuffled) {
      if (isolated.length === size) break;
      if (cost + this.cost(n) > budget) continue;
      cost += this.cost(n);
      isolated.push(n);
    }
    const rest = shuffled.filter((n) => !isolated.includes(n));
    for (const a of isolated) {
      for (const b of rest) {
        c.network.cut(a.index, b.index);
        if (!oneWay) c.network.cut(b.index, a.index);
      }
    }
    this.disrupted += cost;
    this.faults.push(
      `${oneWay ? 'one-way ' : ''}partition ${isolated.map((n) => n.index).join(',')} at ${Math.round(c.now)}`,
    );
    c.at(c.now + this.prng.int(300, 1_200), () => c.network.healAll());
  }

  /** Provokes a view change (a group leave) and crashes whoever first sends a proposal or commit for it. */
  private crashMidChange(): void {
    const c = this.cluster;
    const phase = this.prng.pick(['flush', 'propose', 'commit'] as const);
    c.onSend = (from, message) => {
      if (message.body.kind !== phase) return;
      c.onSend = null;
      this.crashAndRestart(from, `crash-during-${phase}`);
    };
    const members = c.nodes.filter((n) => n.core?.state === 'member' && n.groups.size > 0);
    if (members.length > 0) {
      const n = this.prng.pick(members);
      c.leave(n.index, this.prng.pick([...n.groups]));
    }
    c.at(c.now + 1_000, () => {
      c.onSend = null;
    });
  }

  private stopFaults(): void {
    const c = this.cluster;
    this.faultsOn = false;
    c.onSend = null;
    c.network.faults = { ...CALM_NETWORK };
    c.network.healAll();
    for (const n of c.nodes) c.resume(n.index);
  }

  /** Runs until the cluster settled with nothing pending (then a little longer to drain), or the deadline. */
  private settle(): string | null {
    const c = this.cluster;
    const deadline = FAULT_PHASE_MS + SETTLE_DEADLINE_MS;
    for (let t = c.now; t < deadline; t += 100) {
      for (const n of c.nodes) if (!n.core) this.boot(n);
      c.runUntil(t + 100);
      const joined = c.nodes.every((n) => [...this.plans.get(n.index)!].every((g) => n.groups.has(g)));
      if (c.nodes.every((n) => n.alive) && c.settled() && c.pendingRequests() === 0 && joined) {
        c.runUntil(c.now + DRAIN_MS);
        return c.settled() ? null : 'the views changed again after settling with no faults';
      }
    }
    const states = c.nodes.map(
      (n) => `node${n.index}#${n.incarnation}:${n.core?.state ?? 'down'}@${n.core?.systemView?.id ?? '-'}`,
    );
    return `not settled ${SETTLE_DEADLINE_MS} ms after the faults stopped (${states.join(' ')}, ${c.pendingRequests()} requests pending)`;
  }
}

import { type CoreOutput, processKey, type SafeLogEntry, toLogEntry } from '../protocol';
import { Cluster, type SimNode } from './cluster';
import { Prng } from './prng';
import { checkSafeHistory, idOf, type SafeHistory } from './safe-checks';

export { SAFE_INVARIANTS } from './safe-checks';

export interface SafeRunResult {
  readonly seed: number;
  readonly violations: string[];
  readonly stats: {
    sent: number;
    delivered: number;
    deliveredAfterRestart: number;
    persists: number;
    crashes: number;
  };
}

const GROUP = 'safe';
const WHOLE_GROUP_CRASH_MS = 4_500;
const WORKLOAD_END_MS = 8_500;
const RUN_END_MS = 11_000;

/**
 * safeSend under faults in the simulator: 3 to 5 processes in logged mode, each log a per-address list that survives
 * crashes (a write in progress when its process crashes is lost, as an unsynced append), persist latencies of 1 to
 * 20 ms, a lossy network, crashes and restarts of a minority, and at WHOLE_GROUP_CRASH_MS the crash of every process
 * at once, the restart of all and a new system founded, whose safeSends go on into the same logs. Checked at the end
 * (safe-checks.ts): total order, the quorum at every delivery, durability through the merged logs.
 */
export function runSafeSeed(seed: number): SafeRunResult {
  return new SafeRun(seed).run();
}

class SafeRun {
  private readonly prng: Prng;
  private readonly c: Cluster;
  private readonly history: SafeHistory = {
    deliveries: new Map(),
    logs: new Map(),
    persistedAt: new Map(),
    recordEpoch: new Map(),
    epochMembers: new Map(),
    groupNow: new Map(),
    sent: new Set(),
    deliveryChecks: [],
  };
  /** When each address's last write completes: the next one starts after it. */
  private readonly lastWriteMs = new Map<string, number>();
  private readonly stats = { sent: 0, delivered: 0, deliveredAfterRestart: 0, persists: 0, crashes: 0 };

  constructor(private readonly seed: number) {
    this.prng = new Prng(seed * 104_729 + 17);
    const nodes = 3 + (seed % 3);
    this.c = new Cluster({ seed, nodes, restartAfterExclusionMs: 300, bounds: { safeSendLogged: true } });
    this.c.network.faults = {
      lossRate: this.prng.pick([0, 0.01, 0.03]),
      duplicateRate: this.prng.pick([0, 0.02]),
      baseDelayMs: 1,
      jitterMs: this.prng.pick([1, 5, 15]),
    };
    this.c.onOutput = (n, o) => this.onOutput(n, o);
  }

  run(): SafeRunResult {
    const c = this.c;
    for (const n of c.nodes) c.at(this.prng.int(0, 50), () => c.start(n.index));
    for (let t = 400; t < WORKLOAD_END_MS; t += 100) c.at(t, () => this.ensureJoined());
    for (let t = 700; t < WORKLOAD_END_MS; t += 15) c.at(t, () => this.send());
    const crashes = this.prng.int(0, Math.floor((c.nodes.length - 1) / 2));
    for (let i = 0; i < crashes; i++)
      c.at(this.prng.int(1_200, WHOLE_GROUP_CRASH_MS - 800), () => this.crashOne());
    c.at(WHOLE_GROUP_CRASH_MS, () => this.crashAll());
    c.runUntil(RUN_END_MS);
    const violations = checkSafeHistory(this.history);
    return { seed: this.seed, violations, stats: this.stats };
  }

  private ensureJoined(): void {
    for (const n of this.c.nodes)
      if (n.alive && !n.groups.has(GROUP) && ![...n.requests.values()].some((r) => r.kind === 'join'))
        this.c.join(n.index, GROUP);
  }

  private send(): void {
    const members = this.c.nodes.filter((n) => n.alive && n.groups.has(GROUP));
    if (members.length === 0) return;
    const id = this.c.multicast(this.prng.pick(members).index, GROUP, 'safe');
    this.history.sent.add(id);
    this.stats.sent++;
  }

  private crashOne(): void {
    const victim = this.prng.pick(this.c.nodes.filter((n) => n.alive));
    if (victim === undefined) return;
    this.stats.crashes++;
    this.c.crash(victim.index);
    this.c.at(this.c.now + this.prng.int(300, 1_200), () => this.c.start(victim.index));
  }

  private crashAll(): void {
    this.stats.crashes += this.c.nodes.length;
    for (const n of this.c.nodes) this.c.crash(n.index);
    for (const n of this.c.nodes)
      this.c.at(this.c.now + this.prng.int(100, 300), () => this.c.start(n.index));
  }

  private onOutput(n: SimNode, o: CoreOutput): void {
    if (o.type === 'systemView') {
      const g = o.view.groups.find((x) => x.name === GROUP);
      const members = g?.members.map(processKey) ?? [];
      this.history.epochMembers.set(`${n.era}:${o.view.id}`, members);
      this.history.groupNow.set(n.key, members);
    }
    if (o.type === 'persist') this.persist(n, o.records.map(toLogEntry), o.token);
    if (o.type === 'deliver' && o.ordering === 'safe') this.delivered(n, idOf(o.payload));
  }

  /** The log write completes after a while (writes of one process complete in order, as the runtime's do), if the
   *  incarnation that asked is still alive; then its core hears it. */
  private persist(n: SimNode, entries: SafeLogEntry[], token: number): void {
    const incarnation = n.incarnation;
    const era = n.era;
    const done = Math.max(this.c.now, this.lastWriteMs.get(n.address) ?? 0) + this.prng.int(1, 20);
    this.lastWriteMs.set(n.address, done);
    this.c.at(done, () => {
      if (n.incarnation !== incarnation || !n.alive) return;
      this.stats.persists++;
      const log = this.history.logs.get(n.address) ?? [];
      log.push(...entries);
      this.history.logs.set(n.address, log);
      for (const e of entries) {
        const id = idOf(e.payload);
        const at = this.history.persistedAt.get(id) ?? new Map<string, number>();
        if (!at.has(n.key)) at.set(n.key, this.c.now);
        this.history.persistedAt.set(id, at);
        this.history.recordEpoch.set(id, `${era}:${e.epoch}`);
      }
      this.c.feed(n.index, incarnation, (nowMs) => ({ type: 'persisted', token, nowMs }));
    });
  }

  private delivered(n: SimNode, id: string): void {
    this.stats.delivered++;
    if (this.c.now > WHOLE_GROUP_CRASH_MS) this.stats.deliveredAfterRestart++;
    const list = this.history.deliveries.get(n.key) ?? [];
    list.push(id);
    this.history.deliveries.set(n.key, list);
    this.history.deliveryChecks.push({
      process: n.key,
      id,
      at: this.c.now,
      group: this.history.groupNow.get(n.key) ?? [],
    });
  }
}

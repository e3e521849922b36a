import { type CoreOutput, processKey, type TransferEffect } from '../../protocol';
import { Cluster, type SimNode } from '../cluster';
import { Prng } from '../prng';
import { DictionaryReplica } from './dictionary-replica';

export const DICTIONARY_INVARIANTS = [
  'state transfer: a joiner equals the members at the view boundary',
  'state transfer: no update lost or doubled',
  'state transfer: a resumed stream carries the same checkpoint',
  'state transfer: joiners finish loading',
  'dictionary: lookups agree',
] as const;

export interface DictionaryRunResult {
  readonly seed: number;
  readonly violations: string[];
  readonly stats: { updates: number; transfers: number; resumed: number; lost: number; crashes: number };
}

const GROUP = 'dict';
const CHUNKS = 4;
const FAULTS_END_MS = 6_000;
const RUN_END_MS = 14_000;

/**
 * The replicated dictionary (UPDATE in total order, LOOKUP anywhere) under faults in the simulator: members join
 * while updates flow, receive the state through the TransferPlan's transfers (four chunks each, a few ms apart), and
 * crashes hit senders mid-stream so the next replica resumes. Checked: every replica that passes a view boundary
 * holding the state has the same digest there (a joiner's is its loaded checkpoint), no update is applied twice,
 * resumed streams carry the same checkpoint, every live joiner finishes loading, and lookups agree at the end.
 */
export function runDictionarySeed(seed: number): DictionaryRunResult {
  return new DictionaryRun(seed).run();
}

class DictionaryRun {
  private readonly prng: Prng;
  private readonly c: Cluster;
  private readonly replicas = new Map<string, DictionaryReplica>();
  private readonly controls = new Map<string, { kind: 'requested' | 'loaded'; viewId: number }>();
  private readonly boundaries = new Map<string, Map<string, string>>();
  private readonly violations: string[] = [];
  private readonly stats = { updates: 0, transfers: 0, resumed: 0, lost: 0, crashes: 0 };
  private readonly replicaCount: number;

  constructor(private readonly seed: number) {
    this.prng = new Prng(seed * 7919 + 11);
    const nodes = 3 + (seed % 3);
    this.c = new Cluster({ seed, nodes, restartAfterExclusionMs: 300 });
    this.replicaCount = 1 + (seed % 2);
    this.c.network.faults = {
      lossRate: this.prng.pick([0, 0.01, 0.03]),
      duplicateRate: this.prng.pick([0, 0.02]),
      baseDelayMs: 1,
      jitterMs: this.prng.pick([1, 5, 15]),
    };
    this.c.onOutput = (n, o) => this.onOutput(n, o);
  }

  run(): DictionaryRunResult {
    const c = this.c;
    for (const n of c.nodes) c.at(this.prng.int(0, 50), () => c.start(n.index));
    for (let t = 400; t < RUN_END_MS - 2_000; t += 100) c.at(t, () => this.ensureJoined());
    for (let t = 600; t < FAULTS_END_MS + 2_000; t += 25) c.at(t, () => this.update());
    const crashes = this.prng.int(1, Math.floor((c.nodes.length - 1) / 2) + 1);
    for (let i = 0; i < crashes; i++) c.at(this.prng.int(1_500, FAULTS_END_MS), () => this.crashSomeone());
    c.runUntil(RUN_END_MS);
    c.network.faults = { lossRate: 0, duplicateRate: 0, baseDelayMs: 1, jitterMs: 1 };
    this.checkBoundaries();
    this.checkEnd();
    return { seed: this.seed, violations: this.violations, stats: this.stats };
  }

  private replicaOf(n: SimNode): DictionaryReplica | undefined {
    return this.replicas.get(n.key);
  }

  private onOutput(n: SimNode, o: CoreOutput): void {
    if (o.type === 'view' && o.group === GROUP) {
      let replica = this.replicaOf(n);
      if (replica === undefined) {
        const hooks = {
          // A system founded anew (after its service majority crashed) numbers its views from 1 again.
          boundary: (viewId: number, digest: string) =>
            this.recordBoundary(n.key, `${n.era}:${viewId}`, digest),
          doubled: (id: string) =>
            this.violations.push(`[${DICTIONARY_INVARIANTS[1]}] ${n.key} applied update ${id} twice`),
          perform: (effects: readonly TransferEffect[]) => this.perform(n, effects),
        };
        replica = new DictionaryReplica(n.pid, this.replicaCount, hooks);
        this.replicas.set(n.key, replica);
      }
      replica.onView(o.view);
    }
    if (o.type !== 'deliver' || o.group !== GROUP) return;
    const replica = this.replicaOf(n);
    if (replica === undefined) return;
    const id = idOf(o.payload);
    const control = this.controls.get(id);
    if (control === undefined) return replica.onUpdate(id);
    const input =
      control.kind === 'requested'
        ? {
            type: 'requested' as const,
            viewId: control.viewId,
            joiner: o.sender,
            endpoint: processKey(o.sender),
          }
        : { type: 'loaded' as const, viewId: control.viewId, joiner: o.sender };
    this.perform(n, replica.plan.step(input));
  }

  private perform(n: SimNode, effects: readonly TransferEffect[]): void {
    const replica = this.replicaOf(n)!;
    for (const e of effects) {
      if (e.type === 'awaitState') this.control(n, 'requested', e.viewId);
      if (e.type === 'serve') this.stats.transfers++;
      if (e.type === 'serve') this.stream(n, e.viewId, e.endpoint, 0);
      if (e.type === 'discardCheckpoint') replica.spools.delete(e.viewId);
      if (e.type === 'stateLost' && replica.loadingView === e.viewId) {
        this.stats.lost++;
        replica.detach();
        this.c.leave(n.index, GROUP);
      }
    }
  }

  private control(n: SimNode, kind: 'requested' | 'loaded', viewId: number): void {
    // Registered before the multicast: the core may deliver a member's own message within the same step.
    const next = (n.issued.get(`${GROUP}|fifo`) ?? 0) + 1;
    this.controls.set(`${n.key}/${GROUP}/fifo/${next}`, { kind, viewId });
    this.c.multicast(n.index, GROUP, 'fifo');
  }

  /** One chunk of a transfer every few ms while sender and joiner are both the incarnations that started it. */
  private stream(source: SimNode, viewId: number, joinerKey: string, attempt: number): void {
    const sender = this.replicaOf(source);
    const senderKey = source.key;
    const joiner = this.replicas.get(joinerKey);
    const joinerNode = this.c.nodes.find((x) => x.key === joinerKey);
    if (!sender || !joiner || !joinerNode?.alive || joiner.loadingView !== viewId) return;
    const spool = sender.spools.get(viewId);
    if (spool === undefined) {
      // A sender still loading takes its checkpoint when its replay reaches the view: try again shortly.
      if (sender.loading && attempt < 200)
        this.c.at(this.c.now + 20, () => this.stream(source, viewId, joinerKey, attempt + 1));
      return;
    }
    if (joiner.receivingDigest !== null && joiner.receivedChunks > 0) {
      this.stats.resumed++;
      if (joiner.receivingDigest !== spool.digest)
        this.violations.push(
          `[${DICTIONARY_INVARIANTS[2]}] ${joinerKey} resumed the checkpoint of view ${viewId} from ${senderKey}, whose bytes differ`,
        );
    }
    joiner.receivingDigest = spool.digest;
    // Half of the first streams of a joiner lose their sender halfway: the next replica must resume.
    if (joiner.receivedChunks === 0 && this.c.now < FAULTS_END_MS && this.prng.chance(0.5))
      this.c.at(this.c.now + this.prng.int(20, 200), () => this.crash(source));
    const next = (): void => {
      if (source.key !== senderKey || !source.alive || !joinerNode.alive || joinerNode.key !== joinerKey)
        return;
      if (joiner.loadingView !== viewId || joiner.receivingDigest !== spool.digest) return;
      joiner.receivedChunks++;
      if (joiner.receivedChunks < CHUNKS) return void this.c.at(this.c.now + this.prng.int(5, 120), next);
      joiner.load(spool);
      this.control(joinerNode, 'loaded', viewId);
    };
    this.c.at(this.c.now + this.prng.int(5, 120), next);
  }

  private update(): void {
    const members = this.c.nodes.filter((n) => n.alive && n.groups.has(GROUP));
    if (members.length === 0) return;
    this.c.multicast(this.prng.pick(members).index, GROUP, 'total');
    this.stats.updates++;
  }

  private ensureJoined(): void {
    for (const n of this.c.nodes) {
      if (!n.alive || n.core!.state !== 'member' || n.groups.has(GROUP)) continue;
      if ([...n.requests.values()].some((r) => r.kind !== 'multicast' && r.group === GROUP)) continue;
      if (this.prng.chance(0.3)) this.c.join(n.index, GROUP);
    }
  }

  /** Crashes a member, preferring one that is streaming a checkpoint, and restarts it a while later. */
  private crashSomeone(): void {
    const up = this.c.nodes.filter((n) => n.alive);
    if (up.length <= Math.ceil(this.c.nodes.length / 2)) return;
    const streaming = up.filter((n) => (this.replicaOf(n)?.spools.size ?? 0) > 0);
    this.crash(this.prng.pick(streaming.length > 0 && this.prng.chance(0.7) ? streaming : up));
  }

  /** Crashes one process, if a majority stays up, and restarts it a while later as a new incarnation. */
  private crash(victim: SimNode): void {
    const up = this.c.nodes.filter((n) => n.alive);
    if (!victim.alive || up.length <= Math.ceil(this.c.nodes.length / 2)) return;
    this.stats.crashes++;
    this.c.crash(victim.index);
    this.c.at(this.c.now + this.prng.int(400, 1_500), () => this.c.start(victim.index));
  }

  private recordBoundary(key: string, viewId: string, digest: string): void {
    let at = this.boundaries.get(viewId);
    if (at === undefined) this.boundaries.set(viewId, (at = new Map()));
    at.set(key, digest);
  }

  private checkBoundaries(): void {
    for (const [viewId, digests] of this.boundaries) {
      const distinct = new Set(digests.values());
      if (distinct.size > 1)
        this.violations.push(
          `[${DICTIONARY_INVARIANTS[0]}] view ${viewId}: ${distinct.size} different states among ${[...digests.keys()].join(', ')}`,
        );
    }
  }

  /** After the faults stop: every live member holds the state, and all agree (a lost update would show here). */
  private checkEnd(): void {
    const live = this.c.nodes.filter((n) => n.alive && n.groups.has(GROUP));
    const states = live.map((n) => ({ n, r: this.replicaOf(n) }));
    for (const { n, r } of states)
      if (!r || r.loading || r.detached)
        this.violations.push(`[${DICTIONARY_INVARIANTS[3]}] ${n.key} still has no state at the end`);
    const digests = new Set(
      states.filter(({ r }) => r && !r.loading && !r.detached).map(({ r }) => r!.snapshot().digest),
    );
    if (digests.size > 1)
      this.violations.push(
        `[${DICTIONARY_INVARIANTS[1]}] live members end with ${digests.size} different states`,
      );
    for (const key of ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']) {
      const values = new Set(states.map(({ r }) => r?.lookup(key)));
      if (values.size > 1)
        this.violations.push(
          `[${DICTIONARY_INVARIANTS[4]}] LOOKUP ${key} differs: ${[...values].join(' / ')}`,
        );
    }
  }
}

function idOf(payload: Uint8Array): string {
  const end = payload.indexOf(0);
  return new TextDecoder().decode(end < 0 ? payload : payload.subarray(0, end));
}

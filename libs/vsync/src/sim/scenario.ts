import { type CoreConfig, processKey } from '../protocol';
import { Cluster, type SimNode } from './cluster';
import { ScenarioError } from './errors/scenario-error';
import { checkInvariants } from './invariants';

export { ScenarioError } from './errors/scenario-error';

const STABILIZE_LIMIT_MS = 10_000;
const STABILIZE_STEP_MS = 50;

type Phase = 'flush' | 'propose' | 'commit';

/** Interprets a readable script (libs/vsync/testdata/*.txt) against a simulated cluster, in the style of etcd raft's
 *  testdata. Commands:
 *    start N [BOUND=VALUE...]      start nodes 1..N (node 1 founds the system), optionally with core bounds
 *                                  (e.g. membershipServiceSize=3)
 *    join|leave NODES... GROUP     group membership requests
 *    multicast NODE fifo|total GROUP LABEL [BYTES]   BYTES pads the payload (up to maxPayloadBytes)
 *    stop NODE                     a graceful stop (SIGTERM): the process leaves the system
 *    pause NODE | resume NODE      stop a process without killing it (SIGSTOP), and let it go on (SIGCONT)
 *    refound NODE                  an operator's re-found order (after a total loss) to a joining node
 *    run MS | stabilize            advance time; stabilize = until settled with nothing pending
 *    crash NODE [during-flush|during-propose|during-commit]
 *    restart NODE                  a new incarnation at the same address, with the same (default) options
 *    partition A,B | C,D           symmetric cut between two sides;  cut A -> B  one-way;  heal
 *    net LOSS DUP JITTER_MS        message loss and duplication probabilities, reordering jitter
 *    expect view MEMBERS...        every running member has exactly this system view (node or node#incarnation)
 *    expect group GROUP MEMBERS... the group's current membership, as seen by every member
 *    expect delivered NODE GROUP LABELS...   the node delivered exactly these messages of the group, in order
 *    expect gms MEMBERS...         every running member sees exactly these as the membership service of its view
 *    expect excluded NODE [ERROR]  the node's current incarnation was excluded (MinorityPartitionError or removal);
 *                                  with ERROR, it left with that error (e.g. MinorityPartitionError)
 *    expect stopped NODE           the node's current incarnation left the system gracefully (not excluded)
 *    expect last-view NODE MEMBERS...  the last system view the node's current incarnation installed (even if gone)
 *    check                         the safety invariants hold over everything so far */
export class ScenarioRunner {
  private cluster: Cluster | null = null;
  private readonly labels = new Map<string, string>();
  private readonly trace: string[] = [];

  constructor(
    private readonly name: string,
    private readonly seed = 1,
  ) {}

  run(script: string): string[] {
    script.split('\n').forEach((raw, i) => {
      // Only whole lines are comments: '#' inside a line names an incarnation (2#1).
      const text = raw.trim().startsWith('#') ? '' : raw.trim();
      if (text.length === 0) return;
      try {
        this.execute(text.split(/\s+/));
        this.trace.push(`> ${text}`);
      } catch (error) {
        if (error instanceof ScenarioError) throw error;
        throw new ScenarioError(
          this.name,
          i + 1,
          text,
          error instanceof Error ? error.message : String(error),
        );
      }
    });
    return this.trace;
  }

  private get c(): Cluster {
    if (!this.cluster) throw new Error('no cluster yet: the script must begin with "start N"');
    return this.cluster;
  }

  private execute(words: string[]): void {
    const [command, ...args] = words;
    switch (command) {
      case 'start':
        return this.start(Number(args[0]), args.slice(1));
      case 'join':
      case 'leave':
        return this.membership(command, args);
      case 'multicast':
        return this.multicast(args);
      case 'run':
        return this.c.runUntil(this.c.now + Number(args[0]));
      case 'stabilize':
        return this.stabilize();
      case 'crash':
        return this.crash(args);
      case 'restart':
        return this.c.start(this.index(args[0]));
      case 'stop':
        return this.c.shutdown(this.index(args[0]));
      case 'pause':
        return this.c.pause(this.index(args[0]));
      case 'resume':
        return this.c.resume(this.index(args[0]));
      case 'refound':
        return this.c.refound(this.index(args[0]));
      case 'partition':
        return this.partition(args);
      case 'cut':
        if (args[1] !== '->') throw new Error('usage: cut A -> B');
        return this.c.network.cut(this.index(args[0]), this.index(args[2]));
      case 'net':
        return this.net(args);
      case 'heal':
        return this.c.network.healAll();
      case 'expect':
        return this.expect(args);
      case 'check':
        return this.check();
      default:
        throw new Error(`unknown command "${command}"`);
    }
  }

  private start(count: number, bounds: string[]): void {
    if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error('start needs a node count 1..9');
    this.cluster = new Cluster({ seed: this.seed, nodes: count, bounds: this.bounds(bounds) });
    this.cluster.network.faults = { lossRate: 0, duplicateRate: 0, baseDelayMs: 1, jitterMs: 0.5 };
    // One at a time, so seniority (rank order) is node order and the scripts can name views plainly. Node 1 founds on
    // purpose (alone, it cannot learn from a majority of its seeds that no system runs); every restart is default.
    for (let i = 1; i <= count; i++) {
      this.cluster.start(i, i === 1 ? true : undefined);
      this.stabilize();
    }
  }

  /** BOUND=VALUE words: numeric core bounds for every process of the run, checked by the core itself at start. */
  private bounds(words: string[]): Partial<CoreConfig> {
    const bounds: Record<string, number> = {};
    for (const word of words) {
      const [name, value] = word.split('=');
      if (!name || value === undefined || !Number.isFinite(Number(value)))
        throw new Error(`usage: start N [BOUND=VALUE...], got "${word}"`);
      bounds[name] = Number(value);
    }
    return bounds as Partial<CoreConfig>;
  }

  /** Several nodes join (or leave) one after the other, so the group's seniority order is the order written. */
  private membership(command: 'join' | 'leave', args: string[]): void {
    const group = args.at(-1)!;
    const nodes = args.slice(0, -1);
    if (nodes.length === 0) throw new Error(`usage: ${command} NODES... GROUP`);
    nodes.forEach((n, i) => {
      if (command === 'join') this.c.join(this.index(n), group);
      else this.c.leave(this.index(n), group);
      if (nodes.length > 1 && i < nodes.length - 1) this.stabilize();
    });
  }

  private multicast(args: string[]): void {
    const [node, ordering, group, label, bytes] = args;
    if (ordering !== 'fifo' && ordering !== 'total')
      throw new Error('usage: multicast NODE fifo|total GROUP LABEL [BYTES]');
    if (!label) throw new Error('the multicast needs a label');
    const size = Number(bytes ?? 0);
    if (!Number.isInteger(size) || size < 0) throw new Error(`BYTES must be a whole number, got "${bytes}"`);
    this.labels.set(this.c.multicast(this.index(node), group, ordering, size), label);
  }

  private stabilize(): void {
    const c = this.c;
    const deadline = c.now + STABILIZE_LIMIT_MS;
    while (c.now < deadline) {
      c.runUntil(c.now + STABILIZE_STEP_MS);
      if (c.settled() && c.pendingRequests() === 0) {
        c.runUntil(c.now + 10 * STABILIZE_STEP_MS);
        if (c.settled()) return;
      }
    }
    throw new Error(`the cluster did not settle within ${STABILIZE_LIMIT_MS} ms`);
  }

  private crash(args: string[]): void {
    const victim = this.index(args[0]);
    if (!args[1]) return this.c.crash(victim);
    const phase = args[1].replace(/^during-/, '') as Phase;
    if (!['flush', 'propose', 'commit'].includes(phase))
      throw new Error('crash NODE [during-flush|during-propose|during-commit]');
    // Armed: the node dies right after sending its first message of that phase, so only one peer ever sees it.
    this.c.onSend = (from, message) => {
      if (from.index !== victim || message.body.kind !== phase) return;
      this.c.onSend = null;
      this.c.crash(victim);
    };
  }

  /** net LOSS DUP JITTER_MS: probabilities of loss and duplication, and the reordering jitter of every message. */
  private net(args: string[]): void {
    const [lossRate, duplicateRate, jitterMs] = args.map(Number);
    if (![lossRate, duplicateRate, jitterMs].every((x) => Number.isFinite(x) && x >= 0) || lossRate >= 1) {
      throw new Error('usage: net LOSS DUP JITTER_MS (e.g. net 0.2 0.1 20)');
    }
    this.c.network.faults = { lossRate, duplicateRate, baseDelayMs: 1, jitterMs };
  }

  private partition(args: string[]): void {
    const bar = args.indexOf('|');
    if (bar < 0) throw new Error('usage: partition A B | C D');
    const left = args
      .slice(0, bar)
      .flatMap((a) => a.split(','))
      .filter(Boolean)
      .map((a) => this.index(a));
    const right = args
      .slice(bar + 1)
      .flatMap((a) => a.split(','))
      .filter(Boolean)
      .map((a) => this.index(a));
    for (const a of left) {
      for (const b of right) {
        this.c.network.cut(a, b);
        this.c.network.cut(b, a);
      }
    }
  }

  private expect(args: string[]): void {
    const [what, ...rest] = args;
    if (what === 'view') return this.expectView(rest);
    if (what === 'group') return this.expectGroup(rest[0], rest.slice(1));
    if (what === 'delivered') return this.expectDelivered(rest[0], rest[1], rest.slice(2));
    if (what === 'gms') return this.expectService(rest);
    if (what === 'excluded') return this.expectExcluded(rest[0], rest[1]);
    if (what === 'last-view') return this.expectLastView(rest[0], rest.slice(1));
    if (what === 'stopped') return this.expectStopped(rest[0]);
    throw new Error(`unknown expectation "${what}"`);
  }

  private expectView(expected: string[]): void {
    const running = this.c.nodes.filter((n) => n.core?.state === 'member');
    const want = expected.map((e) => this.keyOf(e)).join(' ');
    for (const n of running) {
      const got = n.core!.systemView!.members.map(processKey).join(' ');
      if (got !== want)
        throw new Error(`node ${n.index} has view [${this.short(got)}], expected [${this.short(want)}]`);
    }
  }

  private expectGroup(group: string, expected: string[]): void {
    const want = expected.map((e) => this.keyOf(e)).join(' ');
    for (const n of this.c.nodes.filter((x) => x.core?.state === 'member')) {
      const g = n.core!.systemView!.groups.find((x) => x.name === group);
      const got = (g?.members ?? []).map(processKey).join(' ');
      if (got !== want)
        throw new Error(
          `node ${n.index} sees group ${group} as [${this.short(got)}], expected [${this.short(want)}]`,
        );
    }
  }

  private expectDelivered(node: string, group: string, expected: string[]): void {
    const n = this.c.node(this.index(node));
    const got = this.c.history.deliveries
      .filter((d) => d.receiver === n.key && d.group === group)
      .map((d) => this.labels.get(d.id) ?? d.id);
    if (got.join(' ') !== expected.join(' ')) {
      throw new Error(
        `node ${node} delivered [${got.join(' ')}] in ${group}, expected [${expected.join(' ')}]`,
      );
    }
  }

  private expectService(expected: string[]): void {
    const want = expected.map((e) => this.keyOf(e)).join(' ');
    for (const n of this.c.nodes.filter((x) => x.core?.state === 'member')) {
      const got = n.core!.serviceMembers.map(processKey).join(' ');
      if (got !== want)
        throw new Error(
          `node ${n.index} sees the membership service as [${this.short(got)}], expected [${this.short(want)}]`,
        );
    }
  }

  private expectExcluded(node: string, error: string | undefined): void {
    const n = this.c.node(this.index(node));
    if (!this.c.history.excluded.has(n.key)) throw new Error(`node ${node} (${n.key}) was not excluded`);
    const got = this.c.history.exclusionErrors.get(n.key);
    if (error !== undefined && got !== error)
      throw new Error(`node ${node} (${n.key}) left with ${got ?? 'no error'}, expected ${error}`);
  }

  private expectStopped(node: string): void {
    const n = this.c.node(this.index(node));
    if (n.core?.state !== 'gone')
      throw new Error(`node ${node} (${n.key}) is ${n.core?.state ?? 'down'}, not stopped`);
    const error = this.c.history.exclusionErrors.get(n.key);
    if (error !== undefined) throw new Error(`node ${node} (${n.key}) was excluded (${error}), not stopped`);
  }

  private expectLastView(node: string, expected: string[]): void {
    const n = this.c.node(this.index(node));
    const installed = this.c.history.systemViews.filter((v) => v.process === n.key).at(-1);
    const got = (installed?.members ?? []).join(' ');
    const want = expected.map((e) => this.keyOf(e)).join(' ');
    if (got !== want)
      throw new Error(`node ${node} last installed [${this.short(got)}], expected [${this.short(want)}]`);
  }

  private check(): void {
    const survivors = new Set(this.c.nodes.filter((n) => n.core?.state === 'member').map((n) => n.key));
    const violations = checkInvariants({
      history: this.c.history,
      survivors,
      checkLiveness: false,
      unsettled: null,
      wire: this.c.wire,
    });
    if (violations.length > 0) throw new Error(`invariants broken:\n  ${violations.join('\n  ')}`);
  }

  private index(text: string): number {
    const i = Number(text.split('#')[0]);
    this.c.node(i);
    return i;
  }

  /** "2" means node 2's current incarnation; "2#1" names an incarnation explicitly. */
  private keyOf(text: string): string {
    const [node, incarnation] = text.split('#');
    const n: SimNode = this.c.node(Number(node));
    return `${n.address}#${incarnation ?? n.incarnation}`;
  }

  private short(keys: string): string {
    return keys.replace(/node(\d+):7000#(\d+)/g, '$1#$2');
  }
}

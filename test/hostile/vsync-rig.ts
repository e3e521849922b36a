import fs from 'node:fs';
import { MemberProcess, type MemberEvent } from '../vsync/member-process';

/**
 * A live group of real member processes (test/hostile/vsync-member.ts) for attacks over real sockets, and the
 * record each attack leaves for `npm run hostile` (one JSON line per attack in $HOSTILE_RESULTS, when set).
 */
export const MEMBER_PROGRAM = 'test/hostile/vsync-member.ts';

export interface AttackResult {
  readonly attack: string;
  /** Every member still runs and the group still delivers. */
  readonly survived: boolean;
  /** Messages or views accepted from a process not entitled to send them. */
  readonly forgedAccepted: number;
  /** 1 if the group stopped delivering for good. */
  readonly outage: number;
  readonly maxRssMb: number;
  readonly keyed: boolean;
}

export function recordAttack(result: AttackResult): void {
  const file = process.env.HOSTILE_RESULTS;
  if (file !== undefined && file.length > 0) fs.appendFileSync(file, `${JSON.stringify(result)}\n`);
  console.info(`attack ${JSON.stringify(result)}`);
}

export type MemberOptions = Record<string, unknown>;

export class HostileGroup {
  readonly ids: string[] = [];
  readonly addresses: string[] = [];
  private rounds = 0;
  /** Every member process any group started, so a test that fails halfway through a start still kills them all. */
  private static readonly spawned: MemberProcess[] = [];

  private constructor(readonly members: MemberProcess[]) {}

  /** Starts `size` members (the first founds), joins them all and waits until each sees all of them; a member whose
   *  join fails fails the start, naming the error. */
  static async start(size: number, options: MemberOptions = {}): Promise<HostileGroup> {
    const first = new MemberProcess('m0', MEMBER_PROGRAM, options);
    const group = new HostileGroup([first]);
    HostileGroup.spawned.push(first);
    const { address } = await first.next((e) => e.event === 'ready');
    for (let i = 1; i < size; i += 1)
      group.members.push(new MemberProcess(`m${i}`, MEMBER_PROGRAM, { ...options, seeds: [address] }));
    HostileGroup.spawned.push(...group.members.slice(1));
    for (const m of group.members) {
      const ready = await m.next((e) => e.event === 'ready');
      group.ids.push(ready.id as string);
      group.addresses.push(ready.address as string);
    }
    for (const m of group.members) {
      const from = m.events.length;
      m.command({ cmd: 'join' });
      const answer = await m.next((e) => e.event === 'joined' || e.event === 'error', from);
      if (answer.event === 'error') throw new Error(`${m.name} could not join: ${String(answer.message)}`);
    }
    await Promise.all(group.members.map((m) => m.until(() => group.viewSize(m) === size)));
    return group;
  }

  viewSize(m: MemberProcess): number {
    return (this.lastView(m)?.members as string[] | undefined)?.length ?? 0;
  }

  lastView(m: MemberProcess): MemberEvent | undefined {
    return m.events.filter((e) => e.event === 'view').at(-1);
  }

  /** The id of the newest system view `m` installed. */
  systemViewId(m: MemberProcess): number {
    return (m.events.filter((e) => e.event === 'systemView').at(-1)?.id as number | undefined) ?? 0;
  }

  /** The current identity of member `i` (it changes if the member was excluded and rejoined). */
  currentId(i: number): string {
    const joined = this.members[i].events.filter((e) => e.event === 'joined').at(-1);
    return (joined?.self as string | undefined) ?? this.ids[i];
  }

  async stats(m: MemberProcess): Promise<MemberEvent> {
    const from = m.events.length;
    m.command({ cmd: 'stats' });
    return m.next((e) => e.event === 'stats', from);
  }

  /** Deliveries whose tag starts with `prefix`, over all members: forged ones must never appear. */
  deliveriesTagged(prefix: string): number {
    let count = 0;
    for (const m of this.members)
      for (const e of m.events) if (e.event === 'deliver' && String(e.tag).startsWith(prefix)) count += 1;
    return count;
  }

  /** Every member sends one message and every member delivers all of them within `ms`: the group is not out. */
  async stillDelivers(ms = 20_000): Promise<boolean> {
    const tag = `alive-${(this.rounds += 1)}`;
    for (const m of this.members) m.command({ cmd: 'send', tag, count: 1 });
    const all = (m: MemberProcess): boolean =>
      m.events.filter((e) => e.event === 'deliver' && e.tag === tag).length >= this.members.length;
    const deadline = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms));
    const done = Promise.all(this.members.map((m) => m.until(() => all(m)))).then(() => true);
    return Promise.race([done, deadline]).catch(() => false);
  }

  /** Sums a counter over every member's stats (e.g. s => s.exclusions). */
  async total(read: (stats: MemberEvent) => number): Promise<number> {
    let sum = 0;
    for (const m of this.members) sum += read(await this.stats(m));
    return sum;
  }

  async maxRssMb(): Promise<number> {
    let most = 0;
    for (const m of this.members) most = Math.max(most, (await this.stats(m)).maxRssMb as number);
    return most;
  }

  allRunning(): boolean {
    return this.members.every((m) => !m.hasExited);
  }

  /** The standard verdict after an attack: survived (all running and delivering), no outage, forged count given. */
  async verdict(attack: string, forgedAccepted: number, keyed = false): Promise<AttackResult> {
    const delivering = await this.stillDelivers();
    const result: AttackResult = {
      attack,
      survived: delivering && this.allRunning() && forgedAccepted === 0,
      forgedAccepted,
      outage: delivering ? 0 : 1,
      maxRssMb: await this.maxRssMb(),
      keyed,
    };
    recordAttack(result);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop(0).then(() => undefined)));
  }

  kill(): void {
    for (const m of this.members) m.kill('SIGKILL');
  }

  /** Kills every member process started by any group (for afterAll: a start that failed left its members running). */
  static killAll(): void {
    for (const m of HostileGroup.spawned) m.kill('SIGKILL');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * safeSend across real OS processes (bench/dht/safe-send-member.ts), logged mode: three members each with its own log
 * directory safeSend a stream; one member is SIGKILLed mid-stream and the two others go on delivering (a majority of
 * the view is still there); then the two survivors are SIGKILLed while they send, so the whole group is dead. All
 * three are restarted on the same addresses and logs, refound the system and recover: each replays the same history,
 * which holds every message any member delivered before the crashes, in that member's delivery order, and nothing
 * that was not sent. New safeSends are delivered after the replay.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const MEMBER = 'bench/dht/safe-send-member.ts';
const NAMES = ['s0', 's1', 's2'];

let processes: MemberProcess[] = [];
let logRoot: string | undefined;
afterEach(async () => {
  await Promise.all(processes.map((p) => p.stop(0)));
  processes = [];
  if (logRoot !== undefined) await rm(logRoot, { recursive: true, force: true });
});

/** A port nobody listens on now (the OS picks it), so tests running at the same time do not collide. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function start(name: string, port: number, seeds: string[], recoverMembers?: number): MemberProcess {
  const m = new MemberProcess(name, MEMBER, {
    port,
    seeds,
    logDir: join(logRoot!, name),
    trace: true,
    recoverMembers,
  });
  processes.push(m);
  return m;
}

const delivered = (m: MemberProcess, from = 0, recovered = false): string[] =>
  m.events
    .slice(from)
    .filter((e: MemberEvent) => e.event === 'delivered' && e.recovered === recovered)
    .map((e) => e.id as string);

async function joinAll(members: MemberProcess[]): Promise<void> {
  for (const m of members) m.command({ cmd: 'join' });
  await Promise.all(members.map((m) => m.next((e) => e.event === 'joined')));
}

function blast(m: MemberProcess, phase: number, count: number): void {
  m.command({ cmd: 'blast', phase, ordering: 'safe', count, sizeBytes: 64, inFlight: 8 });
}

/** Ids a member sends in a phase: `${name}/${phase}/${n}`, n counting every send of that process from 1. */
function isSent(id: string, sent: Map<string, Set<number>>): boolean {
  const [name, phase, n] = id.split('/');
  return sent.get(`${name}/${phase}`)?.has(Number(n)) ?? false;
}

describe('vsync safeSend (3 member processes, logged)', () => {
  it('keeps delivering with a minority killed, and recovers every delivered message after the whole group is killed', async () => {
    logRoot = await mkdtemp(join(tmpdir(), 'safesend-proc-'));
    const ports = await Promise.all(NAMES.map(() => freePort()));
    const seeds = ports.map((p) => `127.0.0.1:${p}`);
    const first = NAMES.map((name, i) => start(name, ports[i], seeds));
    await Promise.all(first.map((m) => m.next((e) => e.event === 'ready')));
    await joinAll(first);
    await Promise.all(
      first.map((m) => m.until(() => m.events.some((e) => e.event === 'view' && e.size === 3))),
    );
    // Which message numbers each process sent in each phase (ids count a process's sends across phases).
    const sent = new Map<string, Set<number>>();
    const record = (name: string, phase: number, fromN: number, count: number): void =>
      void sent.set(`${name}/${phase}`, new Set(Array.from({ length: count }, (_, i) => fromN + i)));

    // Phase 1: all three send 30 each; everyone delivers all 90.
    first.forEach((m, i) => (blast(m, 1, 30), record(NAMES[i], 1, 1, 30)));
    await Promise.all(first.map((m) => m.until(() => delivered(m).length >= 90)));
    const phase1 = first.map((m) => delivered(m));
    for (const list of phase1) expect(list).toEqual(phase1[0]);

    // Phase 2: s0 and s1 send 40 each while s2 is SIGKILLed: the majority left delivers all of them.
    const [s0, s1, s2] = first;
    const marks = [s0.events.length, s1.events.length];
    blast(s0, 2, 40);
    blast(s1, 2, 40);
    record('s0', 2, 31, 40);
    record('s1', 2, 31, 40);
    s2.kill('SIGKILL');
    const phase2Of = (m: MemberProcess, mark: number): string[] =>
      delivered(m, mark).filter((id) => id.split('/')[1] === '2');
    await Promise.all([
      s0.until(() => phase2Of(s0, marks[0]).length >= 80),
      s1.until(() => phase2Of(s1, marks[1]).length >= 80),
    ]);
    expect(phase2Of(s0, marks[0])).toEqual(phase2Of(s1, marks[1]));

    // Phase 3: both survivors send and are SIGKILLed mid-stream: the whole group is gone.
    blast(s0, 3, 200);
    blast(s1, 3, 200);
    record('s0', 3, 71, 200);
    record('s1', 3, 71, 200);
    await s0.until(() => delivered(s0).some((id) => id.split('/')[1] === '3'));
    s0.kill('SIGKILL');
    s1.kill('SIGKILL');
    await Promise.all(first.map((m) => m.stop(5_000)));
    const before = first.map((m) => delivered(m));

    // Restart all three on the same addresses and logs; each recovers before new traffic.
    const second = NAMES.map((name, i) => start(name, ports[i], seeds, 3));
    await Promise.all(second.map((m) => m.next((e) => e.event === 'ready')));
    await joinAll(second);
    const histories = second.map((m) => delivered(m, 0, true));
    expect(histories[0].length).toBeGreaterThan(0);
    for (const h of histories) expect(h).toEqual(histories[0]);
    const history = histories[0];
    expect(history.filter((id) => !isSent(id, sent))).toEqual([]);
    expect(new Set(history).size).toBe(history.length);
    for (const list of before) expect(history.filter((id) => list.includes(id))).toEqual(list);

    // New traffic after the replay: delivered everywhere, after the recovered history.
    second.forEach((m) => blast(m, 4, 10));
    await Promise.all(
      second.map((m) => m.until(() => delivered(m).filter((id) => id.split('/')[1] === '4').length >= 30)),
    );
    for (const m of second) {
      const events = m.events.filter((e) => e.event === 'delivered');
      const lastRecovered = events.map((e) => e.recovered).lastIndexOf(true);
      const firstNew = events.findIndex((e) => !e.recovered);
      expect(firstNew).toBeGreaterThan(lastRecovered);
    }
  }, 180_000);
});

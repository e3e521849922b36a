/**
 * Real partitions: five member processes, each in a network namespace of its own, linked to two bridges ("racks")
 * joined by a trunk link, multicast with orderedSend the whole time while links are taken down and up:
 * - the trunk cut, which leaves rack A (the leader and first seed, and one other) a minority of two that still talk
 *   to each other, and rack B a majority of three;
 * - the leader's own link cut;
 * - two members cut off, each on its own;
 * - every member's link cut at once (a total loss: each leaves as a minority), then the operator's re-found;
 * - the trunk and then one member's link flapping, down for a random 0.2 to 2.5 s (around the failure timeout) and
 *   up for 0.3 to 1 s, from a printed seed (VSYNC_NETNS_SEED replays the same durations).
 * During each cut the majority side installs a view without the cut-off members and goes on delivering, and the
 * cut-off members install no view at all; once healed, they rejoin as new incarnations. A flap that splits a view of
 * four two against two loses the whole system (no side is a majority): the test then re-founds it with the operator's
 * tool, and the members rejoin the new one. Afterwards every member's log, split by incarnation (and by system),
 * satisfies the invariant checker, and the last incarnations agree on what they delivered.
 *
 * Needs root and namespaces (`ip netns add`); elsewhere it is skipped with a message saying why. Every namespace it
 * makes is deleted in afterAll and at process exit, also when the test fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from './vsync/invariants';
import { MemberProcess, type MemberEvent } from './vsync/member-process';
import { fifoFromJoin, finalCompleteness, splitByIncarnation } from './vsync/netns/incarnation-logs';
import {
  NamespaceNetwork,
  namespacesUnavailable,
  removeOrphanedNamespaces,
} from './vsync/netns/namespace-network';
import { SenderLoop } from './vsync/netns/sender-loop';

const PROGRAM = 'test/vsync/member.ts';
const GROUP = 'netns';
const MEMBERS = 5;
/** Members 0 and 1 (the first started, so the leader and the first seed) sit in rack A. */
const RACK_A_MEMBERS = 2;
const PORT = 7100;
const FAILURE_TIMEOUT_MS = 1_500;
/** Each member sends 20 orderedSends a second, in batches of 20. */
const WORKLOAD = { group: GROUP, batchMessages: 20, intervalMs: 50 };
/** Messages the majority side must deliver in its own view before a cut is healed. */
const PROGRESS_MESSAGES = 40;
const FLAPS = 8;
const POLL_MS = 100;
/** How long the five get to settle in one view after a start or a heal (a loaded two-core machine is slow). */
const WHOLE_WITHIN_MS = 90_000;
/** How long the last incarnations get to deliver what is still in flight after the final flush. */
const SETTLE_MS = 20_000;
/** Times the final flush is asked again after a member was excluded during it. */
const FLUSH_ATTEMPTS = 3;
const SEED = Number(process.env.VSYNC_NETNS_SEED ?? Date.now() % 1_000_000);
/** How long every member must be out of any system before the test re-founds it, as an operator would. */
const TOTAL_LOSS_CONFIRM_MS = 5_000;
/** How long the re-found tool may run (its probe, then the target's own check and founding). */
const REFOUND_TIMEOUT_MS = 30_000;

const unavailable = namespacesUnavailable();
if (unavailable !== undefined)
  console.warn(
    `\n*** SKIPPED test/vsync-netns.proc.ts: network namespaces cannot be created here (${unavailable}). ***\n`,
  );

let network: NamespaceNetwork;
let members: MemberProcess[] = [];
let senders: SenderLoop[] = [];
const timings: Record<string, number> = {};
/** Per re-found, where the new system begins in each member's events (see splitByIncarnation). */
const systemStarts: number[][] = [];

const views = (m: MemberProcess): MemberEvent[] =>
  m.events.filter((e) => e.event === 'view' && e.group === GROUP);
const lastView = (m: MemberProcess): MemberEvent | undefined => views(m).at(-1);
const selfOf = (m: MemberProcess): string => {
  const view = lastView(m)!;
  return (view.members as string[])[view.rank as number];
};
const addressOf = (i: number): string => `${network.members[i].host}:${PORT}`;
const indexOfId = (id: string): number => members.findIndex((_, i) => id.startsWith(`${addressOf(i)}/`));

/** An error that takes a member out of its system (it then rejoins as a new incarnation). */
const isOut = (e: MemberEvent): boolean =>
  e.event === 'error' && ['MinorityPartitionError', 'ExcludedError'].includes(String(e.name));

/** A member out of every system: since its last system view it reported leaving as a minority or excluded. */
const outOfSystem = (m: MemberProcess): boolean =>
  m.events.findLast((e) => e.event === 'systemView' || isOut(e))?.event === 'error';

/** The member's latest group view, if it installed it after it was last out (else it is a view it left). */
const currentView = (m: MemberProcess): MemberEvent | undefined => {
  const out = m.events.findLastIndex(isOut);
  const view = m.events.findLastIndex((e) => e.event === 'view' && e.group === GROUP);
  return view > out ? m.events[view] : undefined;
};

/** Every member's current view is the same view of all five. */
const whole = (): boolean => {
  const last = members.map(currentView);
  return last.every(
    (v) => v !== undefined && (v.members as string[]).length === MEMBERS && v.id === last[0]!.id,
  );
};

/** Each member's latest group view and system view, for a failure message. */
function describeViews(): string {
  return members
    .map((m) => {
      const system = m.events.findLast((e) => e.event === 'systemView');
      const view = lastView(m);
      return `${m.name}: view ${view?.id} of ${(view?.members as string[] | undefined)?.length}, system view ${system?.id} of ${(system?.members as string[] | undefined)?.length}`;
    })
    .join('; ');
}

/**
 * Waits until all five are one view. A flap can split a view of four (one member excluded and not back yet) two
 * against two: neither side is a majority, so both leave and no system is left (a total loss, by design of a
 * majority-based membership service). Once every member has been out of any system for TOTAL_LOSS_CONFIRM_MS, the
 * test does what an operator does: it runs the re-found tool inside n0's namespace, which founds a new system only
 * if no seed reports a running one; the members rejoin it as they retry.
 */
async function waitWhole(): Promise<void> {
  let deadline = Date.now() + WHOLE_WITHIN_MS;
  let allOutSince: number | undefined;
  while (!whole()) {
    if (!members.every(outOfSystem)) allOutSince = undefined;
    else if ((allOutSince ??= Date.now()) + TOTAL_LOSS_CONFIRM_MS <= Date.now()) {
      await refound();
      allOutSince = undefined;
      deadline = Date.now() + WHOLE_WITHIN_MS;
    }
    if (Date.now() > deadline)
      throw new Error(`not within ${WHOLE_WITHIN_MS} ms: all five in one view (${describeViews()})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The operator's re-found after a total loss; marks where the new system begins in every member's events. */
async function refound(): Promise<void> {
  const marks = members.map((m) => m.events.length);
  const seeds = network.members.map((_, i) => addressOf(i)).join(',');
  const tool = [process.execPath, '--import', 'tsx', 'libs/vsync/src/tools/refound-cli.ts'];
  const args = ['--seeds', seeds, '--target', addressOf(0), '--bind-host', network.members[0].host];
  const [command, ...rest] = [...network.launcher(0), ...tool, ...args];
  const run = spawnSync(command, rest, { encoding: 'utf8', timeout: REFOUND_TIMEOUT_MS });
  const outcome = run.stdout.trim() || run.stderr.trim() || `exit ${run.status}`;
  console.info(`total loss (${describeViews()}); the re-found tool at n0: ${outcome}`);
  // A seed still in a system ('live') founded nothing: no new system to tell apart.
  if (!/"outcome":"live"/.test(outcome)) systemStarts.push(marks);
}

/**
 * Flushes the group at every member once all five are one view. A member falsely suspected meanwhile (a loaded
 * machine) is excluded and its flush fails; it rejoins as a new incarnation and the flush is asked again of all.
 */
async function flushAll(): Promise<void> {
  const outcomes: string[] = [];
  for (let attempt = 1; attempt <= FLUSH_ATTEMPTS; attempt += 1) {
    await waitWhole();
    const marks = members.map((m) => m.events.length);
    for (const m of members) m.command({ cmd: 'flush', group: GROUP });
    const ends = await Promise.all(
      members.map((m, i) =>
        m.next((e) => (e.event === 'flushed' && e.group === GROUP) || e.event === 'error', marks[i]),
      ),
    );
    if (ends.every((e) => e.event === 'flushed')) return;
    outcomes.push(ends.map((e, i) => `${members[i].name} ${String(e.name ?? e.event)}`).join(', '));
    console.info(`flush attempt ${attempt} interrupted: ${outcomes.at(-1)}`);
  }
  throw new Error(`the final flush was interrupted ${FLUSH_ATTEMPTS} times: ${outcomes.join('; ')}`);
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await run();
  } finally {
    timings[label] = Date.now() - start;
  }
}

/**
 * Cuts the given members off (by `cut`), and checks that the others install a view of just themselves and deliver
 * PROGRESS_MESSAGES more in it while the cut-off members install nothing; then heals and waits until all five are
 * one view again, the cut-off ones as new incarnations.
 */
async function partition(cutOff: number[], cut: () => void, heal: () => void): Promise<void> {
  const majority = members.filter((_, i) => !cutOff.includes(i));
  const majorityIds = majority.map(selfOf);
  const oldIds = cutOff.map((i) => selfOf(members[i]));
  const marks = members.map((m) => m.events.length);
  cut();
  const majoritySet = [...majorityIds].sort().join();
  const ownView = (m: MemberProcess): MemberEvent | undefined =>
    m.events
      .slice(marks[members.indexOf(m)])
      .find(
        (e) =>
          e.event === 'view' &&
          e.group === GROUP &&
          [...(e.members as string[])].sort().join() === majoritySet,
      );
  await timed(`${label(cutOff)}: majority view`, () =>
    Promise.all(majority.map((m) => m.until(() => ownView(m) !== undefined))),
  );
  const inOwnView = (m: MemberProcess): number =>
    m.events.filter((e) => e.event === 'deliver' && e.viewId === ownView(m)!.id).length;
  await timed(`${label(cutOff)}: majority progress`, () =>
    Promise.all(majority.map((m) => m.until(() => inOwnView(m) >= PROGRESS_MESSAGES))),
  );
  // The cut-off side never installs a view without the majority: no second primary partition.
  for (const i of cutOff) {
    const installed = members[i].events
      .slice(marks[i])
      .filter((e) => e.event === 'view' && e.group === GROUP);
    for (const v of installed) expect(v.members).toEqual(expect.arrayContaining(majorityIds));
  }
  heal();
  await timed(`${label(cutOff)}: rejoin after heal`, waitWhole);
  for (const [k, i] of cutOff.entries()) expect(selfOf(members[i])).not.toBe(oldIds[k]);
  for (const m of majority) expect(majorityIds).toContain(selfOf(m));
  // Each cut-off member was told, with a typed error, that it lost the majority or was excluded.
  for (const i of cutOff) {
    const heard = members[i].events.slice(marks[i]).filter((e) => e.event === 'error' && e.group === GROUP);
    expect(heard.map((e) => e.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(MinorityPartition|Excluded)Error$/)]),
    );
    console.info(
      `${label(cutOff)}: ${members[i].name} heard ${[...new Set(heard.map((e) => e.name))].join(', ')}`,
    );
  }
}

const label = (cutOff: number[]): string => `cut ${cutOff.map((i) => members[i].name).join('+')}`;

/** Leaves every member's events and stderr in a directory named after the seed, to read after a failure. */
function saveLogs(): void {
  const dir = join(tmpdir(), `vsync-netns-${SEED}`);
  mkdirSync(dir, { recursive: true });
  for (const m of members) {
    writeFileSync(join(dir, `${m.name}.jsonl`), m.events.map((e) => JSON.stringify(e)).join('\n'));
    writeFileSync(join(dir, `${m.name}.stderr`), m.stderr.join('\n'));
  }
  console.info(`member logs in ${dir}`);
}

/** A small seeded generator (mulberry32), so a run's flap durations replay from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function flap(cut: () => void, heal: () => void, random: () => number): Promise<number[]> {
  const downs: number[] = [];
  for (let i = 0; i < FLAPS; i += 1) {
    const downMs = Math.round(200 + random() * 2_300);
    downs.push(downMs);
    cut();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    heal();
    await new Promise((resolve) => setTimeout(resolve, Math.round(300 + random() * 700)));
  }
  return downs;
}

describe.skipIf(unavailable !== undefined)(
  'vsync under real network partitions (5 processes in namespaces)',
  () => {
    beforeAll(async () => {
      const orphans = removeOrphanedNamespaces();
      if (orphans.length > 0) console.warn(`removed namespaces left by killed runs: ${orphans.join(' ')}`);
      network = new NamespaceNetwork(MEMBERS, RACK_A_MEMBERS);
      network.create();
      const seeds = network.members.map((_, i) => addressOf(i));
      members = network.members.map(
        (node, i) =>
          new MemberProcess(
            `n${i}`,
            PROGRAM,
            {
              group: GROUP,
              seeds,
              bindHost: node.host,
              bindPort: PORT,
              rejoinOnExclusion: true,
              failureTimeoutMs: FAILURE_TIMEOUT_MS,
            },
            network.launcher(i),
          ),
      );
      await timed('start and join', async () => {
        await Promise.all(members.map((m) => m.next((e) => e.event === 'ready')));
        for (const m of members) m.command({ cmd: 'join', group: GROUP });
        await waitWhole();
      });
      senders = members.map((m) => new SenderLoop(m, WORKLOAD));
      for (const s of senders) s.start();
    }, 120_000);

    afterAll(async () => {
      await Promise.all(
        senders.map((s) => Promise.race([s.stop(), new Promise((r) => setTimeout(r, 5_000))])),
      );
      await Promise.all(members.map((m) => m.stop(0)));
      network?.destroy();
      saveLogs();
      console.info(`vsync-netns seed ${SEED}; phase times (ms): ${JSON.stringify(timings)}`);
      expect(network?.remaining() ?? []).toEqual([]);
    }, 60_000);

    it('rack A (leader and first seed + one) cut off by the trunk: rack B goes on, rack A rejoins', async () => {
      await partition(
        [0, 1],
        () => network.cutTrunk(),
        () => network.healTrunk(),
      );
    }, 120_000);

    it('the leader isolated on its own link: the other four go on, it rejoins', async () => {
      // The membership leader is the oldest process of the system view.
      const systemView = members[0].events.findLast((e) => e.event === 'systemView')!;
      const leader = indexOfId((systemView.members as string[])[0]);
      await partition(
        [leader],
        () => network.cutMember(leader),
        () => network.healMember(leader),
      );
    }, 120_000);

    it('two members cut off each on its own: the other three go on, both rejoin', async () => {
      const ranked = (lastView(members[0])!.members as string[]).map(indexOfId);
      const pair = [ranked[1], ranked[3]].sort();
      await partition(
        pair,
        () => pair.forEach((i) => network.cutMember(i)),
        () => pair.forEach((i) => network.healMember(i)),
      );
    }, 120_000);

    it('every link cut at once loses the system; the re-found tool brings all five back in one', async () => {
      const refoundsBefore = systemStarts.length;
      await timed('every link cut', async () => {
        for (let i = 0; i < MEMBERS; i += 1) network.cutMember(i);
        // Each hears none of the others: every one leaves as a minority, and none may found a system alone.
        await Promise.all(members.map((m) => m.until(() => outOfSystem(m))));
      });
      for (let i = 0; i < MEMBERS; i += 1) network.healMember(i);
      await timed('every link cut: re-founded and whole again', waitWhole);
      expect(systemStarts.length, 'the system was re-founded once').toBe(refoundsBefore + 1);
    }, 180_000);

    it('flapping trunk and flapping member link: all five come back to one view', async () => {
      const random = prng(SEED);
      const trunk = await timed('flapping trunk', () =>
        flap(
          () => network.cutTrunk(),
          () => network.healTrunk(),
          random,
        ),
      );
      await timed('flapping trunk: whole again', waitWhole);
      const victim = 2 + Math.floor(random() * (MEMBERS - 2));
      console.info(`flap seed ${SEED}: trunk down ${trunk.join(',')} ms; next n${victim}`);
      const link = await timed(`flapping n${victim}`, () =>
        flap(
          () => network.cutMember(victim),
          () => network.healMember(victim),
          random,
        ),
      );
      await timed(`flapping n${victim}: whole again`, waitWhole);
      console.info(
        `flap seed ${SEED}: trunk down ${trunk.join(',')} ms; n${victim} down ${link.join(',')} ms`,
      );
    }, 180_000);

    it('every incarnation log satisfies the invariants; the last incarnations agree on what they delivered', async () => {
      await Promise.all(senders.map((s) => s.stop()));
      await flushAll();
      const logs = (): ReturnType<typeof splitByIncarnation> =>
        splitByIncarnation(
          members.map((m, i) => ({
            name: m.name,
            address: addressOf(i),
            events: m.events,
            systemStarts: systemStarts.map((marks) => marks[i]),
          })),
          GROUP,
        );
      // Delivery after the flush may still be under way at the slowest member: give it SETTLE_MS to finish.
      const settleBy = Date.now() + SETTLE_MS;
      while (finalCompleteness(logs()).length > 0 && Date.now() < settleBy)
        await new Promise((resolve) => setTimeout(resolve, 500));
      const split = logs();
      // The checker's FIFO rule wants every member from the start; fifoFromJoin judges members that joined later.
      const violations = [
        ...checkInvariants(split.logs, split.expected).filter((line) => !line.startsWith('fifo:')),
        ...fifoFromJoin(split),
        ...finalCompleteness(split),
      ];
      const delivered = members.map((m) => m.events.filter((e) => e.event === 'deliver').length);
      const incarnations = [...split.logs.keys()];
      console.info(
        `checked ${incarnations.length} incarnation logs (${incarnations.join(' ')}) in ${systemStarts.length + 1} system(s), ` +
          `${[...split.expected.sent.values()].reduce((a, b) => a + b, 0)} orderedSends, deliveries per member ${delivered.join(',')}; ` +
          `send failures ${senders.map((s) => s.failures.length).join(',')}; violations: ${violations.length}`,
      );
      expect(violations).toEqual([]);
      expect(whole()).toBe(true);
    }, 240_000);
  },
);

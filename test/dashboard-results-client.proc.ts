/**
 * The dashboard's results as a non-member client (--vsync-results client): three `results` members as real OS
 * processes (test/dashboard/results-member.ts, sending area results encoded as the estimators do), the dashboard
 * subscribed through one of them. Mid-stream that representative is SIGKILLed: the dashboard must go on assembling
 * estimates through another member (its stats line names the new representative), every result sent by a survivor
 * either reaches the page's live state or is counted as missed, none twice. With --vsync-results member the dashboard
 * joins the group instead and receives the same stream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { LocalProcess, type JsonLine } from '@gridcloud/supervision';
import { casePath } from './support/data-files';
import { MemberProcess } from './vsync/member-process';

const DASHBOARD_ENTRY = 'apps/dashboard/src/main.ts';
const MEMBER = 'test/dashboard/results-member.ts';
const SLOTS = 300;
const KILL_AFTER = 100;

let members: MemberProcess[] = [];
let dashboard: LocalProcess | undefined;
afterEach(async () => {
  await dashboard?.stop(2_000);
  await Promise.all(members.map((m) => m.stop(0)));
  members = [];
});

interface SourceStats {
  readonly mode: string;
  readonly representative?: string | null;
  readonly received?: number;
  readonly missed?: number;
  readonly unknownGaps?: number;
  readonly failovers?: number;
}
interface DashboardStats extends JsonLine {
  readonly framesPublished: number;
  readonly lastSlot: number | null;
  readonly collector: { results: number; duplicates: number; late: number };
  readonly resultsSource: SourceStats;
}

async function threeMembers(): Promise<string[]> {
  members = [new MemberProcess('r0', MEMBER, {})];
  const seed = (await members[0].next((e) => e.event === 'ready')).address as string;
  for (const name of ['r1', 'r2']) members.push(new MemberProcess(name, MEMBER, { seeds: [seed] }));
  const addresses = await Promise.all(
    members.map(async (m) => (await m.next((e) => e.event === 'ready')).address as string),
  );
  await Promise.all(
    members.map((m) =>
      m.until(() => m.events.some((e) => e.event === 'view' && (e.members as string[]).length === 3)),
    ),
  );
  return addresses;
}

async function startDashboard(seed: string, mode: 'client' | 'member'): Promise<LocalProcess> {
  const flags = ['--case', casePath('case14'), '--vsync-seeds', seed, '--vsync-results', mode];
  dashboard = LocalProcess.tsx(DASHBOARD_ENTRY, [
    ...flags,
    ...['--vsync-port', String(await freePort()), '--http-port', '0', '--stats-interval-ms', '200'],
  ]);
  await dashboard.waitFor((l) => l.event === 'ready', 'dashboard ready');
  return dashboard;
}

const statsWhere = (
  d: LocalProcess,
  test: (s: DashboardStats) => boolean,
  what: string,
): Promise<DashboardStats> =>
  d.waitFor((l) => l.event === 'stats' && test(l as DashboardStats), what) as Promise<DashboardStats>;

describe('dashboard --vsync-results (3 results members as OS processes)', () => {
  it('client: assembles estimates through a representative and goes on through another after its SIGKILL', async () => {
    const addresses = await threeMembers();
    const d = await startDashboard(addresses[0], 'client');
    const subscribed = await statsWhere(d, (s) => s.resultsSource.representative != null, 'a representative');
    const rep = subscribed.resultsSource.representative!;
    const victim = members[addresses.indexOf(rep)];
    expect(victim).toBeDefined();
    const publisher = members.find((m) => m !== victim)!;
    publisher.command({ cmd: 'publish', count: SLOTS, intervalMs: 10 });
    const atKill = await statsWhere(d, (s) => s.collector.results >= KILL_AFTER, `${KILL_AFTER} results`);
    victim.kill('SIGKILL');

    await publisher.next((e) => e.event === 'done');
    const last = await statsWhere(
      d,
      (s) => (s.resultsSource.received ?? 0) + (s.resultsSource.missed ?? 0) >= SLOTS && s.lastSlot === SLOTS,
      'every result received or counted missed',
    );
    expect(last.resultsSource).toMatchObject({ mode: 'client', unknownGaps: 0 });
    expect(last.resultsSource.representative).not.toBe(rep);
    expect(last.resultsSource.failovers).toBeGreaterThanOrEqual(1);
    expect(last.resultsSource.received! + last.resultsSource.missed!).toBe(SLOTS);
    expect(last.collector.results).toBe(last.resultsSource.received);
    expect(last.collector.duplicates).toBe(0);
    expect(last.framesPublished).toBeGreaterThan(atKill.framesPublished);
    console.info(
      `killed representative ${rep} at ${atKill.collector.results} results; ${last.resultsSource.received} received, ` +
        `${last.resultsSource.missed} missed, now through ${last.resultsSource.representative}`,
    );
  });

  it('member: joins results and receives the same stream', async () => {
    const addresses = await threeMembers();
    const d = await startDashboard(addresses[0], 'member');
    await Promise.all(
      members.map((m) =>
        m.until(() => m.events.some((e) => e.event === 'view' && (e.members as string[]).length === 4)),
      ),
    );
    members[1].command({ cmd: 'publish', count: 50, intervalMs: 10 });
    const last = await statsWhere(d, (s) => s.lastSlot === 50, 'the last slot');
    expect(last.resultsSource).toEqual({ mode: 'member' });
    expect(last.collector.results).toBe(50);
  });
});

/**
 * Join with state transfer across real OS processes: the replicated dictionary as three NestJS microservices
 * (test/vsync/dictionary/main.ts) taking UPDATEs in total order; a fourth joins mid-stream and loads a 24 MiB state
 * streamed out of band; the member sending it is SIGKILLed halfway and the next one resumes from the byte offset
 * reached. A client that is not a member reads through a representative (GroupClient) the whole time, with
 * orderedQuery(ALL, LOOKUP): every member answers at the same point of the total order, so every answer must hold
 * one value. At the end the survivors, joiner included, hold the same state (updates applied and their hash chain).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ALL, GroupClient, VsyncProcess } from '@gridcloud/vsync';
import { LOOKUP_ID } from './vsync/dictionary/dictionary-store';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const PROGRAM = 'test/vsync/dictionary/main.ts';
const BALLAST_BYTES = 24 * 1024 * 1024;
const members: MemberProcess[] = [];
let client: VsyncProcess | undefined;

afterAll(async () => {
  await client?.shutdown();
  for (const m of members) m.kill('SIGTERM');
  await Promise.all(members.map((m) => m.stop(5_000)));
});

function replica(name: string, options: Record<string, unknown>): MemberProcess {
  const m = new MemberProcess(name, PROGRAM, {
    ballastBytes: BALLAST_BYTES,
    loadDelayMsPerMib: 0,
    ...options,
  });
  members.push(m);
  return m;
}

async function stateOf(m: MemberProcess): Promise<MemberEvent> {
  const from = m.events.length;
  m.command({ cmd: 'state' });
  return m.next((e) => e.event === 'state', from);
}

interface Answer {
  readonly values: unknown[];
  readonly atMs: number;
}

describe('replicated dictionary: join with state transfer over real processes', () => {
  it('gives a joiner the state mid-stream, resumes when the sender is killed, and every answer agrees', async () => {
    const p0 = replica('p0', { founder: true });
    const { address } = await p0.next((e) => e.event === 'ready');
    const [p1, p2] = [replica('p1', { seeds: [address] }), replica('p2', { seeds: [address] })];
    await Promise.all([p1, p2].map((m) => m.next((e) => e.event === 'ready')));

    client = new VsyncProcess({ seeds: [address as string], founder: false });
    await client.start();
    const dictionary = new GroupClient('dict', client);
    const answers: Answer[] = [];
    const failures: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          const values = await dictionary.orderedQuery(ALL, LOOKUP_ID, 'k1', { timeoutMs: 20_000 });
          answers.push({ values, atMs: Date.now() });
        } catch (error) {
          failures.push((error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    for (const m of [p0, p1, p2]) m.command({ cmd: 'updates', everyMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The joiner takes its state slowly (120 ms per MiB), so the sender can be killed with the stream half done.
    const p3 = replica('p3', { seeds: [address], loadDelayMsPerMib: 120 });
    await p3.next((e) => e.event === 'progress' && (e.percent as number) >= 30);
    p0.kill('SIGKILL');
    const killedAtMs = Date.now();
    const ready = await p3.next((e) => e.event === 'ready');
    const progress = p3.events.filter((e) => e.event === 'progress').map((e) => e.percent as number);
    expect(progress.at(-1)).toBe(100);
    // Never started over: the next member sent only the rest.
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(ready.applied as number).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const m of [p1, p2]) m.command({ cmd: 'stop' });
    await Promise.all([p1, p2].map((m) => m.next((e) => e.event === 'updates-stopped')));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    reading = false;
    await reader;

    const states = await Promise.all([p1, p2, p3].map(stateOf));
    const summaries = states.map((s) => `${String(s.applied)}/${String(s.chain)}`);
    expect(new Set(summaries).size).toBe(1);
    expect(states[0].applied as number).toBeGreaterThan(ready.applied as number);

    expect(answers.length).toBeGreaterThan(10);
    const split = answers.filter((a) => new Set(a.values.map((v) => JSON.stringify(v))).size > 1);
    expect(
      split.map((a) => `${JSON.stringify(a.values)} at ${a.atMs - killedAtMs} ms after the kill`),
    ).toEqual([]);
    // Answers came from four members before the kill's view change and from the joiner after it.
    expect(answers.some((a) => a.values.length === 3 && a.atMs > killedAtMs)).toBe(true);
    expect(failures).toEqual([]);
    for (const m of [p1, p2, p3]) expect(m.stderr.filter((l) => /Error/.test(l))).toEqual([]);
  }, 120_000);
});

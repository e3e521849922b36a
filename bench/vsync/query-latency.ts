/**
 * query(ALL) round-trip latency with three member processes on loopback: one member asks the group (itself included)
 * one query at a time, from the call until all three replies are in, and the figures are the median and 99th
 * percentile over `queries` round trips (after `warmup` unmeasured ones). Used by bench/vsync/main.ts; runs alone with
 * `npx tsx bench/vsync/query-latency.ts [--queries 2000]`.
 */
import { pathToFileURL } from 'node:url';
import { HIGH_RATE_NODE_FLAGS } from '@gridcloud/vsync';
import { MemberProcess } from '../../test/vsync/member-process';

const PROGRAM = 'bench/vsync/query-member.ts';
const MEMBERS = 3;

export interface QueryLatency {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function measureQueryLatency(queries = 2_000, warmup = 500): Promise<QueryLatency> {
  const first = new MemberProcess('q0', PROGRAM, { founder: true }, [], HIGH_RATE_NODE_FLAGS);
  const members = [first];
  try {
    const seed = (await first.next((e) => e.event === 'ready')).address as string;
    for (let i = 1; i < MEMBERS; i++)
      members.push(new MemberProcess(`q${i}`, PROGRAM, { seeds: [seed] }, [], HIGH_RATE_NODE_FLAGS));
    await Promise.all(members.map((m) => m.next((e) => e.event === 'view' && e.members === MEMBERS)));
    first.command({ cmd: 'query', count: queries, warmup });
    const report = await first.next((e) => e.event === 'latencies' || e.event === 'error');
    if (report.event === 'error') throw new Error(`query bench: ${String(report.message)}`);
    const sorted = [...(report.latenciesMs as number[])].sort((a, b) => a - b);
    const at = (q: number): number =>
      round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    return { p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    for (const m of members) m.command({ cmd: 'exit' });
    await Promise.all(members.map((m) => m.stop(3_000)));
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--queries');
  const count = at < 0 ? 2_000 : Number(process.argv[at + 1]);
  const result = await measureQueryLatency(count);
  process.stdout.write(`${JSON.stringify({ query: result })}\n`);
}

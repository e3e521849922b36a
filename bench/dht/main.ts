/**
 * `npm run -s bench:dht -- --json [--seconds 2] [--rounds 3] [--concurrency 16] [--batch 64] [--value-bytes 100]`:
 * the DHT's one-hop get and put rates with 3 member processes (replication 2) against redis-server on this machine in
 * the same run, under the same client load: `concurrency` workers in one client process, each issuing one multi-key
 * call of `batch` keys at a time (DhtClient.putMany/getMany against Redis MSET/MGET, Redis's batched way). Rounds of
 * the four phases (dht put, redis put, dht get, redis get) run back to back so a change of load hits both; the
 * medians are reported. Then safeSend against orderedSend from bench/dht/safe-send.ts (orderedSend timed on the DHT's
 * members when that file is missing, safeSend then null, said on stderr). The last line is one JSON object.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import { DhtClient, VsyncProcess } from '@gridcloud/vsync';
import { MemberProcess } from '../../test/vsync/member-process';
import { type BenchOptions, parseBenchOptions } from './bench-options';
import { runPhase } from './load';
import { startRedis } from './redis-peer';

const PROGRAM = 'bench/dht/member.ts';
const SAFE_SEND = new URL('./safe-send.ts', import.meta.url);
const MEMBERS = 3;
const REPLICATION = 2;

async function startMembers(): Promise<MemberProcess[]> {
  const first = new MemberProcess('dht0', PROGRAM, { founder: true, replication: REPLICATION });
  const members = [first];
  const seed = (await first.next((e) => e.event === 'ready')).address as string;
  for (let i = 1; i < MEMBERS; i++)
    members.push(new MemberProcess(`dht${i}`, PROGRAM, { seeds: [seed], replication: REPLICATION }));
  await Promise.all(
    members.map((m) => m.next((e) => e.event === 'view' && (e.members as string[]).length === MEMBERS)),
  );
  return members;
}

async function dhtClient(seed: string): Promise<{ client: DhtClient; process: VsyncProcess }> {
  const process = new VsyncProcess({ seeds: [seed], shutdownLingerMs: 50 });
  await process.start();
  const deadline = Date.now() + 30_000;
  while (process.systemView?.groups.find((g) => g.name === 'dht')?.members.length !== MEMBERS) {
    if (Date.now() > deadline) throw new Error('the client never saw 3 DHT members');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { client: new DhtClient('dht', process, { replication: REPLICATION }), process };
}

async function measureOrdered(member: MemberProcess): Promise<{ msgsPerSec: number; p50Ms: number }> {
  const from = member.events.length;
  member.command({ cmd: 'ordered', count: 5_000, window: 256 });
  const report = await member.next((e) => e.event === 'ordered' || e.event === 'error', from);
  if (report.event === 'error') throw new Error(`orderedSend: ${String(report.message)}`);
  const sorted = [...(report.latenciesMs as number[])].sort((a, b) => a - b);
  return {
    msgsPerSec: round(report.msgsPerSec as number),
    p50Ms: round(sorted[Math.floor(sorted.length / 2)]),
  };
}

/** safeSend's figures from bench/dht/safe-send.ts once it exists; null (said loudly) until then. */
async function measureSafe(): Promise<unknown> {
  const path = SAFE_SEND;
  if (!existsSync(path)) {
    console.error('bench:dht: bench/dht/safe-send.ts is missing: safeSend is reported as null');
    return null;
  }
  const module = (await import(path.href)) as { measureSafeSend?: () => Promise<unknown> };
  if (typeof module.measureSafeSend !== 'function') {
    console.error(
      'bench:dht: bench/dht/safe-send.ts exports no measureSafeSend: safeSend is reported as null',
    );
    return null;
  }
  return module.measureSafeSend();
}

async function main(options: BenchOptions, measureHere: boolean): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const members = await startMembers();
  const { client, process } = await dhtClient(
    members[0].events.find((e) => e.event === 'ready')!.address as string,
  );
  try {
    const load = { ...options, keySpace: 100_000 };
    const pairs = (keys: string[], value: string) => keys.map((k) => [k, value] as const);
    const phases: Record<string, (keys: string[], value: string) => Promise<unknown>> = {
      dhtPut: (keys, value) => client.putMany(pairs(keys, value)),
      redisPut: (keys, value) => redis.client.mset(...pairs(keys, value).flat()),
      dhtGet: (keys) => client.getMany(keys),
      redisGet: (keys) => redis.client.mget(...keys),
    };
    // Rounds of the four phases back to back: a change of the machine's load hits the DHT and Redis alike, and the
    // median of the rounds is reported.
    const rates: Record<string, number[]> = { dhtPut: [], redisPut: [], dhtGet: [], redisGet: [] };
    for (let round = 1; round <= options.rounds; round++)
      for (const [name, call] of Object.entries(phases)) {
        console.error(`bench:dht: round ${round}/${options.rounds}: ${name}`);
        rates[name].push((await runPhase(load, call)).opsPerSec);
      }
    const [put, redisPut, get, redisGet] = ['dhtPut', 'redisPut', 'dhtGet', 'redisGet'].map((n) =>
      median(rates[n]),
    );
    return {
      get: { opsPerSec: get, rounds: rates.dhtGet },
      put: { opsPerSec: put, rounds: rates.dhtPut },
      redis: { get: redisGet, put: redisPut, rounds: { get: rates.redisGet, put: rates.redisPut } },
      ratioGet: round(get / redisGet),
      ratioPut: round(put / redisPut),
      load: { ...options, replication: REPLICATION, members: MEMBERS, loadAverage1m: round(loadavg()[0]) },
      // Without safe-send.ts, orderedSend is timed here; with it, in the safeSend cluster (the same processes).
      orderedSend: measureHere ? await measureOrdered(members[0]) : null,
    };
  } finally {
    await process.shutdown().catch(() => undefined);
    for (const m of members) m.command({ cmd: 'exit' });
    await Promise.all(members.map((m) => m.stop(3_000)));
    await redis.stop();
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const figures = await main(options, !existsSync(SAFE_SEND));
  // safeSend runs its own processes, after the DHT's are gone.
  const safe = (await measureSafe()) as {
    safeSend?: unknown;
    safeSendMemory?: unknown;
    orderedSend?: unknown;
  } | null;
  const { load, ...rest } = figures;
  const line = {
    ...rest,
    safeSend: safe?.safeSend ?? null,
    safeSendMemory: safe?.safeSendMemory ?? null,
    orderedSend: safe?.orderedSend ?? figures.orderedSend,
    load,
  };
  if (!options.json)
    console.log(`DHT against redis-server: get ${String(figures.ratioGet)}, put ${String(figures.ratioPut)}`);
  console.log(JSON.stringify(line));
  process.exit(0);
}

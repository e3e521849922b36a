/**
 * The file store benchmark:
 *
 *   npm run -s bench:filestore -- [--json] [--rounds 3] [--files 24] [--batches-per-file 5] [--batch-records 1000]
 *     [--record-bytes 256] [--concurrency 24] [--replicas 3] [--ack-replicas 2] [--reads 200] [--no-influx]
 *     [--commits-in-flight N (the replicas' --max-commits-in-flight; their default when 0)]
 *     [--replica-flags '--flag value ...' (more flags for every replica, e.g. --send-window-bytes)]
 *
 * Append throughput through real replica processes over HTTP, in memory and durable, against in the same run the
 * raw limit (the same bytes appended to a local file, fsync per batch when durable) and InfluxDB 1.x (the same
 * records as line-protocol points, 5,000 per write; started with scripts/services.mjs when it is not running);
 * temporal read latency p50/p99. `concurrency` appenders (one file each at a time, one batch after another, HTTP
 * keep-alive) offer the load as many PMU writers would; InfluxDB is measured with 6 writers and with as many as the store, and the faster counts. A third bound is
 * measured beside them: the same bytes sent over plain loopback TCP to `replicas - 1` other processes
 * (`tcpFanOutMBPerSec`), what the issuing replica's multicast to the others costs at the least on this machine; and the
 * raw append done by `replicas` threads at once, each its own file with the same fsync policy
 * (`replicatedRawMBPerSec`, `ratioReplicatedRaw`): what keeping that many copies costs this machine's disk alone. The peers run interleaved, round after round, after one warm-up round, and each
 * figure is the median over the rounds, so a machine whose load changes during the run skews them alike. The last
 * line is the JSON of the issue's Bar.
 */
import os from 'node:os';
import { serviceAddresses } from '../../scripts/services-config.mjs';
import { up } from '../../scripts/services.mjs';
import { createInfluxDatabase, dropInfluxDatabase, influxRecordsPerSec } from './influx-peer';
import { rawAppendMBPerSec, replicatedAppendMBPerSec } from './raw-append';
import { tcpFanOutMBPerSec } from './tcp-fanout';
import { percentile, StoreUnderTest } from './store-run';
import { makeWorkload, withPrefix, type Workload } from './workload';

function flag(name: string, fallback: number, min: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < min || v > max) {
    process.stderr.write(
      `bench/filestore: --${name} must be an integer in [${min}, ${max}], got '${process.argv[i + 1]}'\n`,
    );
    process.exit(2);
  }
  return v;
}

/** --replica-flags: one argument holding more flags for every replica, split on white space. */
function replicaFlags(): string[] {
  const i = process.argv.indexOf('--replica-flags');
  if (i === -1) return [];
  return (process.argv[i + 1] ?? '').split(/\s+/).filter((word) => word !== '');
}

const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));
const median = (xs: readonly number[]): number => percentile(xs, 0.5);
const log = (line: string): void => void process.stderr.write(`bench/filestore: ${line}\n`);
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Per round: records/s and MB/s of each peer. */
interface Rounds {
  memory: number[];
  durable: number[];
  rawMemory: number[];
  rawDurable: number[];
  /** The raw append done by as many threads at once as there are replicas, each its own file (MB/s of records). */
  copiesMemory: number[];
  copiesDurable: number[];
  influx: number[];
  tcpFanOut: number[];
}

async function influxUrl(): Promise<string | null> {
  if (process.argv.includes('--no-influx')) return null;
  await up(['influx']);
  const { host, port } = serviceAddresses().influx;
  const url = `http://${host}:${port}`;
  await createInfluxDatabase(url);
  return url;
}

/** Concurrent 5,000-point writes at which InfluxDB 1.x ingested fastest here (6 against 24 on a quiet machine). */
const INFLUX_PEER_WRITERS = 6;

async function runRound(
  workload: Workload,
  stores: { memory: StoreUnderTest; durable: StoreUnderTest },
  influx: string | null,
  concurrency: number,
  fanOutPeers: number,
  out: Rounds,
): Promise<void> {
  if (influx !== null) {
    // The peer at its best: InfluxDB 1.x ingests fastest with a few large concurrent writes, so it is measured with
    // INFLUX_PEER_WRITERS and with the store's own count of writers, and the faster of the two is its figure.
    const writers = [...new Set([INFLUX_PEER_WRITERS, concurrency])];
    const rates: number[] = [];
    for (const w of writers) rates.push(await influxRecordsPerSec(workload, influx, w));
    out.influx.push(Math.max(...rates));
  }
  out.memory.push(workload.records / (await stores.memory.appendSeconds(workload)));
  out.rawMemory.push(rawAppendMBPerSec(workload, false));
  out.copiesMemory.push(await replicatedAppendMBPerSec(workload, false, fanOutPeers + 1));
  out.durable.push(workload.records / (await stores.durable.appendSeconds(workload)));
  out.rawDurable.push(rawAppendMBPerSec(workload, true));
  out.copiesDurable.push(await replicatedAppendMBPerSec(workload, true, fanOutPeers + 1));
  if (fanOutPeers > 0) out.tcpFanOut.push(await tcpFanOutMBPerSec(workload, fanOutPeers));
}

function figures(
  recordsPerSec: readonly number[],
  raw: readonly number[],
  copies: readonly number[],
  influx: readonly number[],
  bytesPerRecord: number,
  readsMs: readonly number[],
): Record<string, number | null> {
  const records = median(recordsPerSec);
  const mb = (records * bytesPerRecord) / 1e6;
  const influxRecords = influx.length === 0 ? null : median(influx);
  return {
    appendRecordsPerSec: Math.round(records),
    appendMBPerSec: round(mb),
    rawMBPerSec: round(median(raw)),
    influxRecordsPerSec: influxRecords === null ? null : Math.round(influxRecords),
    ratioRaw: round(mb / median(raw)),
    replicatedRawMBPerSec: round(median(copies)),
    ratioReplicatedRaw: round(mb / median(copies)),
    ratioInflux: influxRecords === null ? null : round(records / influxRecords),
    readP50Ms: round(percentile(readsMs, 0.5)),
    readP99Ms: round(percentile(readsMs, 0.99)),
  };
}

const fanOut = (mb: number | undefined): string => (mb === undefined ? '-' : mb.toFixed(0));

/** The loopback TCP fan-out bound and the in-memory store's share of it (null with one replica). */
function fanOutFigures(rounds: Rounds, bytesPerRecord: number): Record<string, number | null> {
  if (rounds.tcpFanOut.length === 0) return { tcpFanOutMBPerSec: null, ratioTcpFanOut: null };
  const bound = median(rounds.tcpFanOut);
  const storeMB = (median(rounds.memory) * bytesPerRecord) / 1e6;
  return { tcpFanOutMBPerSec: round(bound), ratioTcpFanOut: round(storeMB / bound) };
}

async function main(): Promise<void> {
  const shape = {
    files: flag('files', 24, 1, 10_000),
    batchesPerFile: flag('batches-per-file', 5, 1, 100_000),
    batchRecords: flag('batch-records', 1000, 1, 10_000),
    recordBytes: flag('record-bytes', 256, 1, 1_000_000),
  };
  const run = {
    rounds: flag('rounds', 3, 1, 100),
    replicas: flag('replicas', 3, 1, 9),
    ackReplicas: flag('ack-replicas', 2, 1, 9),
    concurrency: flag('concurrency', 24, 1, 256),
    reads: flag('reads', 200, 1, 100_000),
    commitsInFlight: flag('commits-in-flight', 0, 0, 1_024),
  };
  const base = makeWorkload(shape, 'bench');
  log(`${base.records} records (${(base.bytes / 1e6).toFixed(1)} MB) per round and peer; load ${load()}`);
  const influx = await influxUrl();
  const storeOptions = {
    replicaFlags: replicaFlags(),
    replicas: run.replicas,
    ackReplicas: run.ackReplicas,
    concurrency: run.concurrency,
    commitsInFlight: run.commitsInFlight,
  };
  const memory = await StoreUnderTest.start({ ...storeOptions, durable: false });
  const durable = await StoreUnderTest.start({ ...storeOptions, durable: true }).catch(
    async (error: unknown) => {
      await memory.stop();
      throw error;
    },
  );
  try {
    const empty = (): Rounds => ({
      memory: [],
      durable: [],
      rawMemory: [],
      rawDurable: [],
      copiesMemory: [],
      copiesDurable: [],
      influx: [],
      tcpFanOut: [],
    });
    const rounds = empty();
    const warmUp = empty();
    const fanOutPeers = run.replicas - 1;
    await runRound(
      withPrefix(base, 'bench', 'warm-up'),
      { memory, durable },
      influx,
      run.concurrency,
      fanOutPeers,
      warmUp,
    );
    for (let r = 0; r < run.rounds; r++) {
      await runRound(
        withPrefix(base, 'bench', `round-${r}`),
        { memory, durable },
        influx,
        run.concurrency,
        fanOutPeers,
        rounds,
      );
      log(
        `round ${r}: in memory ${Math.round(rounds.memory[r])} records/s, durable ${Math.round(rounds.durable[r])}, ` +
          `InfluxDB ${influx === null ? '-' : Math.round(rounds.influx[r])}; raw ${rounds.rawMemory[r].toFixed(0)} MB/s, ` +
          `raw with fsync per batch ${rounds.rawDurable[r].toFixed(1)} MB/s, ` +
          `${run.replicas} raw copies at once ${rounds.copiesMemory[r].toFixed(0)} / ${rounds.copiesDurable[r].toFixed(0)} MB/s, ` +
          `TCP fan-out to ${fanOutPeers} ${fanOut(rounds.tcpFanOut[r])} MB/s; load ${load()}`,
      );
    }
    const last = withPrefix(base, 'bench', `round-${run.rounds - 1}`);
    const memoryReads = await memory.readLatenciesMs(last, run.reads);
    const durableReads = await durable.readLatenciesMs(last, run.reads);
    const bytesPerRecord = base.bytes / base.records;
    const commits = async (store: StoreUnderTest) => {
      const appends = await store.appendsPerCommit();
      return {
        meanAppendsPerCommit: appends === null ? null : round(appends),
        meanRecordsPerCommit: appends === null ? null : Math.round(appends * shape.batchRecords),
      };
    };
    const commitSizes = { memory: await commits(memory), durable: await commits(durable) };
    const result = {
      ...figures(
        rounds.memory,
        rounds.rawMemory,
        rounds.copiesMemory,
        rounds.influx,
        bytesPerRecord,
        memoryReads,
      ),
      ...commitSizes.memory,
      durable: {
        ...figures(
          rounds.durable,
          rounds.rawDurable,
          rounds.copiesDurable,
          rounds.influx,
          bytesPerRecord,
          durableReads,
        ),
        ...commitSizes.durable,
      },
      ...fanOutFigures(rounds, bytesPerRecord),
      records: base.records,
      recordBytes: shape.recordBytes,
      batchRecords: shape.batchRecords,
      ...run,
      replicaFlags: storeOptions.replicaFlags.join(' '),
      loadAverage: round(os.loadavg()[0]),
    };
    if (influx !== null) await dropInfluxDatabase(influx);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${memory.diagnostics()}\n${durable.diagnostics()}`);
  } finally {
    await Promise.all([memory.stop(), durable.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench/filestore: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

/**
 * The file store benchmark:
 *
 *   npm run -s bench:filestore -- [--json] [--files 12] [--batches-per-file 10] [--batch-records 1000]
 *     [--record-bytes 256] [--concurrency 6] [--replicas 3] [--ack-replicas 2] [--reads 200] [--no-influx]
 *
 * Append throughput through real replica processes over HTTP, in memory and durable, against in the same run the
 * raw limit (the same bytes appended to a local file, fsync per batch when durable) and InfluxDB 1.x (the same
 * records as line-protocol points, 5,000 per write; started with scripts/services.mjs when it is not running);
 * temporal read latency p50/p99. The last line is the JSON of the issue's Bar.
 */
import os from 'node:os';
import { serviceAddresses } from '../../scripts/services-config.mjs';
import { up } from '../../scripts/services.mjs';
import { influxRecordsPerSec } from './influx-peer';
import { rawAppendMBPerSec } from './raw-append';
import { runStore, type StoreRun } from './store-run';
import { makeWorkload } from './workload';

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

const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));

async function influxPeer(
  workload: ReturnType<typeof makeWorkload>,
  concurrency: number,
): Promise<number | null> {
  if (process.argv.includes('--no-influx')) return null;
  await up(['influx']);
  const { host, port } = serviceAddresses().influx;
  return influxRecordsPerSec(workload, `http://${host}:${port}`, concurrency);
}

function figures(store: StoreRun, rawMBPerSec: number, influx: number | null): Record<string, number | null> {
  return {
    appendRecordsPerSec: Math.round(store.appendRecordsPerSec),
    appendMBPerSec: round(store.appendMBPerSec),
    rawMBPerSec: round(rawMBPerSec),
    influxRecordsPerSec: influx === null ? null : Math.round(influx),
    ratioRaw: round(store.appendMBPerSec / rawMBPerSec),
    ratioInflux: influx === null ? null : round(store.appendRecordsPerSec / influx),
    readP50Ms: round(store.readP50Ms),
    readP99Ms: round(store.readP99Ms),
  };
}

async function main(): Promise<void> {
  const shape = {
    files: flag('files', 12, 1, 10_000),
    batchesPerFile: flag('batches-per-file', 10, 1, 100_000),
    batchRecords: flag('batch-records', 1000, 1, 100_000),
    recordBytes: flag('record-bytes', 256, 1, 1_000_000),
  };
  const run = {
    replicas: flag('replicas', 3, 1, 9),
    ackReplicas: flag('ack-replicas', 2, 1, 9),
    concurrency: flag('concurrency', 6, 1, 256),
    reads: flag('reads', 200, 1, 100_000),
  };
  const workload = makeWorkload(shape, 'bench');
  const log = (line: string): void => void process.stderr.write(`bench/filestore: ${line}\n`);
  log(
    `${workload.records} records, ${(workload.bytes / 1e6).toFixed(1)} MB per mode; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const influx = await influxPeer(workload, run.concurrency);
  log(`InfluxDB ${influx === null ? 'skipped (--no-influx)' : `${Math.round(influx)} records/s`}`);
  const memory = await runStore(workload, { ...run, durable: false });
  const rawMemory = rawAppendMBPerSec(workload, false);
  log(
    `in memory: ${Math.round(memory.appendRecordsPerSec)} records/s, ${memory.appendMBPerSec.toFixed(1)} MB/s; raw ${rawMemory.toFixed(1)} MB/s`,
  );
  const durable = await runStore(workload, { ...run, durable: true });
  const rawDurable = rawAppendMBPerSec(workload, true);
  log(
    `durable: ${Math.round(durable.appendRecordsPerSec)} records/s, ${durable.appendMBPerSec.toFixed(1)} MB/s; raw with fsync per batch ${rawDurable.toFixed(1)} MB/s`,
  );
  const result = {
    ...figures(memory, rawMemory, influx),
    durable: figures(durable, rawDurable, influx),
    records: workload.records,
    recordBytes: shape.recordBytes,
    batchRecords: shape.batchRecords,
    ...run,
    loadAverage: round(os.loadavg()[0]),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench/filestore: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

/**
 * The Freeze-Frame File System experiment against real file store replicas:
 *
 *   npm run -s filestore:check -- [--json] [--replicas 3] [--writers 8] [--files-per-writer 3] [--readers 2]
 *     [--duration-s 20] [--kill-at-s 6] [--down-s 3] [--max-batch-records 20] [--ack-replicas 2] [--in-memory]
 *     [--no-new-replica]
 *
 * Writers append timestamped records to many files while readers take snapshots at random past times (user and
 * server clocks), each checked against the writers' acknowledged log; one replica is SIGKILLed at --kill-at-s and
 * restarted --down-s later; when the writers stop a brand-new replica joins and must receive the whole store; at the
 * end every replica must hold every acknowledged record. The last line is
 * {"snapshots":N,"inconsistent":0,"acknowledgedLost":0,...}; exit 1 when a snapshot was inconsistent or an
 * acknowledged record was lost, 2 on a bad flag.
 */
import os from 'node:os';
import { runExperiment, type ExperimentOptions } from './experiment';

function flag(name: string, fallback: number, min: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < min || v > max) {
    process.stderr.write(
      `filestore-check: --${name} must be a number in [${min}, ${max}], got '${process.argv[i + 1]}'\n`,
    );
    process.exit(2);
  }
  return v;
}

async function main(): Promise<number> {
  const options: ExperimentOptions = {
    replicas: flag('replicas', 3, 2, 9),
    durable: !process.argv.includes('--in-memory'),
    ackReplicas: flag('ack-replicas', 2, 1, 9),
    writers: flag('writers', 8, 1, 256),
    filesPerWriter: flag('files-per-writer', 3, 1, 1000),
    readers: flag('readers', 2, 1, 64),
    durationS: flag('duration-s', 20, 2, 3600),
    killAtS: flag('kill-at-s', 6, 0, 3600),
    downS: flag('down-s', 3, 0, 3600),
    maxBatchRecords: flag('max-batch-records', 20, 1, 10_000),
    addReplica: !process.argv.includes('--no-new-replica'),
  };
  const log = (line: string): void => void process.stderr.write(`filestore-check: ${line}\n`);
  log(
    `${options.writers} writers, ${options.readers} readers, ${options.replicas} replicas (${options.durable ? 'durable' : 'in memory'}) for ${options.durationS} s; load ${os.loadavg()[0].toFixed(2)}`,
  );
  const r = await runExperiment(options, log);
  for (const fault of r.faults) log(fault);
  const { faults: _faults, ...figures } = r;
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  return r.inconsistent === 0 && r.acknowledgedLost === 0 && r.replicasDiffer === 0 && r.snapshots > 0
    ? 0
    : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`filestore-check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

// Where the project's real services listen, and where their files go. Shared by
// scripts/services.mjs (which starts them) and the test suites (which use them),
// so both always agree. Every value can be overridden by an environment variable.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Reads a TCP port from the environment, with a clear error naming the variable. */
function port(name, fallback, env) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port: give an integer from 1 to 65535`);
  }
  return value;
}

function positive(name, fallback, env) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name}=${raw} must be a positive integer`);
  }
  return value;
}

/**
 * Resolves the services configuration from the environment.
 * @param {NodeJS.ProcessEnv} env
 */
export function servicesConfig(env = process.env) {
  const host = env.GRIDCLOUD_SERVICES_HOST || '127.0.0.1';
  const stateDir = env.GRIDCLOUD_SERVICES_STATE_DIR || path.join(repoRoot, '.gridcloud', 'services');
  const dataRoot = env.GRIDCLOUD_SERVICES_DATA_DIR || path.join(os.tmpdir(), 'gridcloud-services');
  const kafkaVersion = env.GRIDCLOUD_KAFKA_VERSION || '4.4.0';
  const cacheDir = env.GRIDCLOUD_CACHE_DIR || path.join(os.homedir(), '.cache', 'gridcloud');
  return {
    host,
    stateDir,
    dataRoot,
    readyTimeoutMs: positive('GRIDCLOUD_SERVICE_READY_TIMEOUT_MS', 120_000, env),
    stopTimeoutMs: positive('GRIDCLOUD_SERVICE_STOP_TIMEOUT_MS', 15_000, env),
    redis: { port: port('GRIDCLOUD_REDIS_PORT', 6379, env) },
    influx: {
      port: port('GRIDCLOUD_INFLUX_PORT', 8086, env),
      rpcPort: port('GRIDCLOUD_INFLUX_RPC_PORT', 8088, env),
      database: env.GRIDCLOUD_INFLUX_DB || 'gridcloud',
    },
    kafka: {
      port: port('GRIDCLOUD_KAFKA_PORT', 9092, env),
      controllerPort: port('GRIDCLOUD_KAFKA_CONTROLLER_PORT', 9093, env),
      version: kafkaVersion,
      heapMb: positive('GRIDCLOUD_KAFKA_HEAP_MB', 256, env),
      libsDir: path.join(cacheDir, `kafka-${kafkaVersion}`),
      // Topics are created explicitly: kafkajs races broker-side auto-creation.
      topics: (
        env.GRIDCLOUD_KAFKA_TOPICS ||
        'pmu.frames:8,pmu.snapshots:4,grid.estimates:4,pmu.region-snapshots:8,pmu.region-catalogs:1'
      )
        .split(',')
        .filter(Boolean)
        .map((entry) => {
          const [topic, partitions = '1'] = entry.split(':');
          const count = Number(partitions);
          if (!topic || !Number.isInteger(count) || count < 1) {
            throw new Error(`GRIDCLOUD_KAFKA_TOPICS entry '${entry}' must look like name:partitions`);
          }
          return { topic, numPartitions: count };
        }),
    },
  };
}

/** The addresses clients use, derived from the same configuration. */
export function serviceAddresses(env = process.env) {
  const c = servicesConfig(env);
  return {
    redis: { host: c.host, port: c.redis.port },
    influx: { host: c.host, port: c.influx.port, database: c.influx.database },
    kafka: { brokers: [`${c.host}:${c.kafka.port}`] },
  };
}

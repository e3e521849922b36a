import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InfluxDB } from 'influx';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { freePort } from '@gridcloud/command-line';
import { LocalProcess } from '@gridcloud/supervision';
import { describeWithServices, services } from './support/services';

/**
 * docker-compose.yml without a Docker engine: every application service starts as a local process with the compose
 * file's own command and environment, service hostnames mapped to 127.0.0.1 and ports remapped where two services
 * (or replicas) share one, against the real Kafka, InfluxDB and Redis. Topic, database and key names get a per-run
 * suffix so that other runs on the same services cannot mix in. The file is also validated by `docker-compose
 * config` (Debian's docker-compose, installed here as scripts/services.mjs installs packages).
 */
const WAIT_MS = 120_000;

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
}

interface Instance {
  service: string;
  replica: number;
  command: string[];
  env: Record<string, string>;
  httpPort: number;
}

const compose = YAML.parse(fs.readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describeWithServices(
  'docker-compose.yml run as local processes: PMU data through Kafka, estimators, InfluxDB, dashboard',
  ['kafka', 'influx', 'redis'],
  () => {
    const run = randomUUID().slice(0, 8);
    const topics = {
      'pmu.frames': `pmu.frames.compose-${run}`,
      'pmu.snapshots': `pmu.snapshots.compose-${run}`,
      'grid.estimates': `grid.estimates.compose-${run}`,
    };
    const database = `gridcloud_compose_${run}`;
    const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-compose-'));
    const kafka = new Kafka({
      clientId: 'compose-e2e',
      brokers: services.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    const influx = new InfluxDB({ host: services.influx.host, port: services.influx.port, database });
    const procs: LocalProcess[] = [];
    let instances: Instance[] = [];
    let reader: Consumer | undefined;

    beforeAll(async () => {
      await admin.connect();
      await admin.createTopics({
        topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 4 })),
        waitForLeaders: true,
      });
    });

    afterAll(async () => {
      await Promise.allSettled(procs.map((p) => p.stop(5_000)));
      for (const p of procs) p.kill();
      await reader?.disconnect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
      await influx.dropDatabase(database).catch(() => undefined);
      fs.rmSync(exportDir, { recursive: true, force: true });
    });

    it('is a valid compose file for docker-compose config', () => {
      ensureDockerCompose();
      const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '--quiet'], {
        encoding: 'utf8',
      });
      expect(
        result.stderr.split('\n').filter((l) => /error|invalid|unsupported/i.test(l)),
        result.stderr,
      ).toEqual([]);
      expect(result.status, result.stderr).toBe(0);
    });

    it('runs every application service from its command and environment, and the data flows end to end', async () => {
      const apps = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
      expect(apps.map(([name]) => name).sort()).toEqual([
        'dashboard',
        'estimator',
        'ingest',
        'pmu-sim',
        'recorder',
      ]);
      for (const [name, s] of apps) {
        expect(s.healthcheck?.test.join(' '), `${name} healthcheck is its /health`).toMatch(/\/health/);
        expect(s.command, `${name} command`).toBeDefined();
      }
      expect(compose.services.estimator.deploy?.replicas).toBe(3);

      instances = await layout(apps, { topics, database, exportDir, run });
      // The data path first; the dashboard (which only reads) is checked on its own below.
      for (const name of startOrder(apps).filter((n) => n !== 'dashboard')) {
        for (const i of instances.filter((x) => x.service === name)) {
          const p = LocalProcess.spawn(i.command, { cwd: process.cwd(), env: i.env });
          procs.push(p);
          await waitHealthy(i, p);
          process.stderr.write(`compose e2e: ${i.service}/${i.replica} healthy\n`);
        }
      }

      // Estimates reached Kafka (the estimators' grid.estimates) and InfluxDB (the recorder).
      let published = 0;
      reader = kafka.consumer({ groupId: `compose-e2e-${run}` });
      await reader.connect();
      await reader.subscribe({ topic: topics['grid.estimates'], fromBeginning: true });
      await reader.run({ eachMessage: async () => void (published += 1) });
      const deadline = Date.now() + WAIT_MS;
      let stored = 0;
      while ((published < 100 || stored < 30) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        const rows = await influx
          .query<{ n: number }>(`SELECT count("cost") AS n FROM "raw"."estimate" WHERE "source" = 'live'`)
          .catch(() => []);
        stored = rows[0]?.n ?? 0;
      }
      process.stderr.write(`compose e2e: ${published} results on Kafka, ${stored} estimates in InfluxDB\n`);
      expect(published, 'area results on Kafka grid.estimates').toBeGreaterThanOrEqual(100);
      expect(stored, 'assembled estimates in InfluxDB').toBeGreaterThanOrEqual(30);
      const vm = await influx.query<{ lo: number; hi: number }>(
        `SELECT min("vm_min") AS lo, max("vm_max") AS hi FROM "raw"."estimate"`,
      );
      expect(vm[0].lo).toBeGreaterThan(0.85);
      expect(vm[0].hi).toBeLessThan(1.2);
      const workers = await influx.query<{ members: number }>(
        `SELECT last("members") AS members FROM "raw"."vsync_group" WHERE "group" = 'service.estimator'`,
      );
      expect(workers[0].members, 'three estimator replicas in service.estimator').toBe(3);

      for (const i of instances.filter((x) => x.service !== 'dashboard')) {
        const r = await fetch(`http://127.0.0.1:${i.httpPort}/health`);
        expect(r.status, `${i.service}/${i.replica} /health`).toBe(200);
      }
    }, 360_000);

    it('serves the dashboard from its compose command and environment, joined to the running cluster', async () => {
      const dashboard = instances.find((i) => i.service === 'dashboard');
      expect(dashboard, 'the running cluster above').toBeDefined();
      const p = LocalProcess.spawn(dashboard!.command, { cwd: process.cwd(), env: dashboard!.env });
      procs.push(p);
      await waitHealthy(dashboard!, p);
      const page = await fetch(
        `http://127.0.0.1:${instances.find((i) => i.service === 'dashboard')!.httpPort}/`,
      );
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
    }, 360_000);
  },
);

/** The compose services in an order that respects their depends_on among application services. */
function startOrder(apps: [string, ComposeService][]): string[] {
  const names = new Set(apps.map(([n]) => n));
  const done: string[] = [];
  while (done.length < apps.length) {
    const next = apps.find(
      ([n, s]) =>
        !done.includes(n) && Object.keys(s.depends_on ?? {}).every((d) => !names.has(d) || done.includes(d)),
    );
    if (next === undefined)
      throw new Error('docker-compose.yml: application services depend on each other in a cycle');
    done.push(next[0]);
  }
  return done;
}

/**
 * Every replica's command and environment: compose's `$$` unescaped, external services at the test's addresses,
 * application hostnames at 127.0.0.1 with a free port for each (service, container port), names suffixed per run.
 */
async function layout(
  apps: [string, ComposeService][],
  o: { topics: Record<string, string>; database: string; exportDir: string; run: string },
): Promise<Instance[]> {
  const ports = new Map<string, number>();
  const portOf = async (key: string): Promise<number> => {
    if (!ports.has(key)) ports.set(key, await freePort());
    return ports.get(key)!;
  };
  const external: Record<string, string> = {
    'kafka:9092': services.kafka.brokers[0],
    'redis:6379': `${services.redis.host}:${services.redis.port}`,
    'influxdb:8086': `${services.influx.host}:${services.influx.port}`,
  };
  const out: Instance[] = [];
  for (const [name, s] of apps) {
    for (let replica = 0; replica < (s.deploy?.replicas ?? 1); replica += 1) {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.environment ?? {})) env[k] = String(v);
      const own = (k: string): string => `${name}/${replica}:${env[k]}`;
      // The instance's own ports: a service's replicas share none on one host.
      const vsyncPort = await portOf(own('GRIDCLOUD_VSYNC_PORT'));
      const httpPort = await portOf(own('GRIDCLOUD_HTTP_PORT'));
      for (const [k, v] of Object.entries(env)) {
        let text = v;
        for (const [from, to] of Object.entries(external)) text = text.replaceAll(from, to);
        for (const [from, to] of Object.entries(o.topics)) if (text === from) text = to;
        env[k] = text;
      }
      env.GRIDCLOUD_VSYNC_SEEDS = await mapSeeds(env.GRIDCLOUD_VSYNC_SEEDS, portOf);
      env.GRIDCLOUD_VSYNC_HOST = '127.0.0.1';
      env.GRIDCLOUD_VSYNC_PORT = String(vsyncPort);
      env.GRIDCLOUD_HTTP_PORT = String(httpPort);
      if (env.GRIDCLOUD_INFLUX_URL !== undefined)
        env.GRIDCLOUD_INFLUX_URL = env.GRIDCLOUD_INFLUX_URL.replace(/\/gridcloud$/, `/${o.database}`);
      if (env.GRIDCLOUD_KAFKA_GROUP !== undefined) env.GRIDCLOUD_KAFKA_GROUP += `-${o.run}`;
      if (env.GRIDCLOUD_EXPORT_DIR !== undefined) env.GRIDCLOUD_EXPORT_DIR = o.exportDir;
      if (name === 'recorder')
        Object.assign(env, {
          GRIDCLOUD_REDIS_PREFIX: `gridcloud-compose-${o.run}`,
          GRIDCLOUD_JOB_QUEUE: `gridcloud-compose-${o.run}`,
        });
      const command = s.command!.map((a) => a.replaceAll('$$', '$'));
      out.push({ service: name, replica, command, env, httpPort });
    }
  }
  return out;
}

/** `recorder:7300,ingest:7200` -> the same instances' loopback ports (replica 0 of each named service). */
async function mapSeeds(seeds: string, portOf: (key: string) => Promise<number>): Promise<string> {
  const out: string[] = [];
  for (const seed of seeds.split(',')) {
    const [host, port] = seed.split(':');
    out.push(`127.0.0.1:${await portOf(`${host}/0:${port}`)}`);
  }
  return out.join(',');
}

/** As compose's service_healthy: /health answers 200; a process that exits first fails at once. */
async function waitHealthy(i: Instance, p: LocalProcess): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let exited = false;
  void p.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${i.service}/${i.replica} exited: ${stderrTail(p)}`);
    const ok = await fetch(`http://127.0.0.1:${i.httpPort}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${i.service}/${i.replica} not healthy in ${WAIT_MS} ms: ${stderrTail(p)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function ensureDockerCompose(): void {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return;
  const how = 'install it with: sudo apt-get install -y docker-compose';
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new Error(`docker-compose is not installed and this is not root; ${how}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  const result = spawnSync('apt-get', ['install', '-y', '-qq', 'docker-compose'], { encoding: 'utf8', env });
  if (result.status !== 0)
    throw new Error(`apt-get could not install docker-compose; ${how}\n${result.stderr}`);
}

/** The process's last stderr lines without stack frames: the message that says what went wrong. */
function stderrTail(p: LocalProcess): string {
  return p.stderr
    .split('\n')
    .filter((l) => l.trim().length > 0 && !/^\s+at /.test(l))
    .slice(-5)
    .join('\n');
}

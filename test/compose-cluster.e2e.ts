import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InfluxDB } from 'influx';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import YAML, { parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { AppendOutcomeUnknownError, FileStoreClient } from '@gridcloud/filestore';
import {
  instancesOf,
  LocalProcess,
  parseDesiredState,
  type InstanceSpec,
  type JsonLine,
} from '@gridcloud/supervision';
import { describeWithServices, services } from './support/services';

/**
 * docker-compose.yml without a Docker engine: every application container starts as a local process with the
 * compose file's own command and environment, against the real Kafka, InfluxDB and Redis. Each container's command
 * is a host agent that runs the processes the compose desired state places on it; that file is given with its
 * agents' hostnames mapped to 127.0.0.1, the external services at the test's addresses and topic, database and key
 * names suffixed per run, so other runs on the same services cannot mix in, and the file store's logs in the run's
 * folder. Once data flows, ingest's archive of raw frames and the recorder's of results must be in the file store,
 * and an append through one replica must read back from each. Then an estimator process is
 * SIGKILLed inside its "container": the supervisors must restart it through that container's agent, as compose would
 * run it. The file is also validated by `docker-compose config` (Debian's docker-compose, installed here as
 * scripts/services.mjs installs packages).
 */
const WAIT_MS = 120_000;
/** How long the results may take to reach Kafka and InfluxDB once every container is healthy. */
const DATA_WAIT_MS = 240_000;
/** How long the file-store check's one append may wait for its acknowledgement. */
const CHECK_APPEND_TIMEOUT_MS = 60_000;
/** How long the estimators' group may take to show all three again after one was falsely suspected. */
const ESTIMATOR_VIEW_WAIT_MS = 60_000;
/** Appends of the check record whose outcome may be unknown (its replica excluded) before the check fails. */
const CHECK_APPEND_ATTEMPTS = 3;
const AGENT_ENTRY = 'apps/cluster/src/agent-main.ts';
/** The instance SIGKILLed to check that the supervisors restart it through its container's agent. */
const VICTIM = 'estimator/1';

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

/** One application container run as a local process: its agent. */
interface Container {
  readonly service: string;
  readonly agent: string;
  readonly process: LocalProcess;
}

const compose = YAML.parse(fs.readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describeWithServices(
  'docker-compose.yml run as local processes: agents per container, supervisors restarting through them, PMU data through Kafka to InfluxDB and the dashboard',
  ['kafka', 'influx', 'redis'],
  () => {
    const run = randomUUID().slice(0, 8);
    const topics = {
      'pmu.frames': `pmu.frames.compose-${run}`,
      'pmu.snapshots': `pmu.snapshots.compose-${run}`,
      'grid.estimates': `grid.estimates.compose-${run}`,
    };
    const database = `gridcloud_compose_${run}`;
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-compose-'));
    const kafka = new Kafka({
      clientId: 'compose-e2e',
      brokers: services.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    const influx = new InfluxDB({ host: services.influx.host, port: services.influx.port, database });
    const containers: Container[] = [];
    let reader: Consumer | undefined;

    beforeAll(async () => {
      await admin.connect();
      await admin.createTopics({
        topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 4 })),
        waitForLeaders: true,
      });
    });

    afterAll(async () => {
      await Promise.allSettled(containers.map((c) => c.process.stop(10_000)));
      for (const c of containers) c.process.kill();
      await reader?.disconnect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
      await influx.dropDatabase(database).catch(() => undefined);
      fs.rmSync(workDir, { recursive: true, force: true });
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

    it('runs every container as its agent, the data flows end to end, and a killed process is restarted by the supervisors through its agent', async () => {
      const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
      const apps = built.filter(([name]) => name !== SECRET_SERVICE);
      await madeClusterSecret(compose.services[SECRET_SERVICE], path.join(workDir, 'vsync.secret'));
      expect(apps.map(([name]) => name).sort()).toEqual([
        'dashboard',
        'estimators',
        'filestore',
        'ingest',
        'pmu-sim',
        'recorder',
        'supervisor',
      ]);
      for (const [name, s] of apps) {
        expect(s.command?.join(' '), `${name} runs a host agent`).toContain(AGENT_ENTRY);
        expect(s.healthcheck?.test.join(' '), `${name} healthcheck is its processes' /health`).toMatch(
          /\/health/,
        );
        expect(s.volumes, `${name} mounts the cluster's secret read-only`).toContain(
          'vsync-secret:/run/gridcloud:ro',
        );
        expect(s.environment?.GRIDCLOUD_VSYNC_SECRET_FILE).toBe('/run/gridcloud/vsync.secret');
      }
      const desiredFile = String(apps[0][1].environment?.GRIDCLOUD_DESIRED_STATE);
      const portBase = await freePortBlock(PORT_BLOCK);
      const mapped = mappedDesiredState(desiredFile, { topics, database, workDir, run, portBase });
      const state = parseDesiredState(fs.readFileSync(mapped, 'utf8'), mapped);
      expectFileStoreOnItsVolume(compose.services.filestore, desiredFile);
      const instances = instancesOf(state);
      expect(instances.filter((i) => i.service.name === 'estimator')).toHaveLength(3);
      expect(new Set(instances.map((i) => i.service.agent))).toEqual(
        new Set(apps.map(([, s]) => String(s.environment?.GRIDCLOUD_AGENT))),
      );

      for (const name of startOrder(apps)) {
        const s = compose.services[name];
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.environment ?? {})) env[k] = String(v);
        env.GRIDCLOUD_DESIRED_STATE = mapped;
        // Compose mounts the vsync-secret volume at /run/gridcloud; here every agent reads the file made above.
        env.GRIDCLOUD_VSYNC_SECRET_FILE = path.join(workDir, 'vsync.secret');
        const p = LocalProcess.spawn(
          s.command!.map((a) => a.replaceAll('$$', '$')),
          { cwd: process.cwd(), env },
        );
        containers.push({ service: name, agent: env.GRIDCLOUD_AGENT, process: p });
        // As compose's service_healthy: every process of the container answers /health.
        for (const i of instances.filter((x) => x.service.agent === env.GRIDCLOUD_AGENT))
          await waitHealthy(i.id, i.httpPort, p);
        process.stderr.write(`compose e2e: ${name} healthy\n`);
      }

      // Estimates reached Kafka (the estimators' grid.estimates) and InfluxDB (the recorder).
      let published = 0;
      reader = kafka.consumer({ groupId: `compose-e2e-${run}` });
      await reader.connect();
      await reader.subscribe({ topic: topics['grid.estimates'], fromBeginning: true });
      await reader.run({ eachMessage: async () => void (published += 1) });
      const stored = await storedEstimates(influx, () => published >= 100, 30);
      process.stderr.write(`compose e2e: ${published} results on Kafka, ${stored} estimates in InfluxDB\n`);
      expect(published, 'area results on Kafka grid.estimates').toBeGreaterThanOrEqual(100);
      expect(stored, 'assembled estimates in InfluxDB').toBeGreaterThanOrEqual(30);
      const vm = await influx.query<{ lo: number; hi: number }>(
        `SELECT min("vm_min") AS lo, max("vm_max") AS hi FROM "raw"."estimate"`,
      );
      expect(vm[0].lo).toBeGreaterThan(0.85);
      expect(vm[0].hi).toBeLessThan(1.2);
      // The latest reported view: on a loaded machine an estimator falsely suspected a moment ago is back as a new
      // incarnation within seconds, so the view is asked again until it holds all three.
      await vi.waitFor(
        async () => {
          const workers = await influx.query<{ members: number }>(
            `SELECT last("members") AS members FROM "raw"."vsync_group" WHERE "group" = 'service.estimator'`,
          );
          expect(workers[0].members, 'three estimators in service.estimator').toBe(3);
        },
        { timeout: ESTIMATOR_VIEW_WAIT_MS, interval: 1000 },
      );
      const dashboard = instances.find((i) => i.service.name === 'dashboard')!;
      const page = await fetch(`http://127.0.0.1:${dashboard.httpPort}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);

      await checkFileStore(instances.filter((i) => i.service.name === 'filestore'));

      await killedAndRestarted(containers, instances.find((i) => i.id === VICTIM)!.httpPort);
    }, 600_000);
  },
);

/**
 * SIGKILLs the victim's process inside the estimators "container" and waits for the supervisors' `restarted` event
 * (heard by every agent on cluster.events), the agent's new spawn of it, and its /health again.
 */
async function killedAndRestarted(containers: readonly Container[], httpPort: number): Promise<void> {
  const estimators = containers.find((c) => c.agent === 'estimators')!.process;
  const spawned = (l: JsonLine): boolean =>
    l.event === 'process' && l.kind === 'spawned' && l.instance === VICTIM;
  const first = estimators.lines.filter(spawned).at(-1);
  expect(first, `${VICTIM} was spawned by the estimators agent`).toBeDefined();
  process.kill(first!.pid as number, 'SIGKILL');
  const supervisorAgent = containers.find((c) => c.agent === 'supervisors')!.process;
  const restarted = await supervisorAgent.waitFor(
    (l) => l.event === 'cluster-event' && l.kind === 'restarted' && l.instance === VICTIM,
    `the supervisors restarting ${VICTIM}`,
    WAIT_MS,
  );
  const again = estimators.lines.filter(spawned).at(-1)!;
  expect(again.generation as number, 'a new process from the same agent').toBeGreaterThan(
    first!.generation as number,
  );
  expect(restarted.reason as string).toMatch(/left the view|exited/);
  await waitHealthy(VICTIM, httpPort, estimators);
  process.stderr.write(
    `compose e2e: ${VICTIM} restarted through its agent in ${String(restarted.rejoinMs)} ms\n`,
  );
}

/** A C37.118 frame starts with SYNC: 0xAA, then the frame type in bits 6-4 (0: data) and the version in bits 3-0. */
function isC37118DataFrame(bytes: Uint8Array): boolean {
  return bytes[0] === 0xaa && (bytes[1] & 0x70) === 0;
}

/**
 * The file store the filestore container runs: ingest archived raw data frames (c37118/<stream>/<hour>) and the
 * recorder area results (results/area-<n>/<hour>) there, and an append through one replica is acknowledged on disk
 * by two and reads back the same from each of the three.
 */
async function checkFileStore(replicas: readonly InstanceSpec[]): Promise<void> {
  const urls = replicas.map((i) => `http://127.0.0.1:${i.httpPort}`);
  expect(urls).toHaveLength(3);
  const client = new FileStoreClient({ urls });
  const archived = await vi.waitFor(
    async () => {
      const files = await client.list('c37118/');
      expect(files.length, 'ingest archived raw frames').toBeGreaterThan(0);
      expect(files[0].records).toBeGreaterThan(0);
      expect((await client.list('results/area-')).length, 'the recorder archived results').toBeGreaterThan(0);
      return files;
    },
    { timeout: WAIT_MS, interval: 1000 },
  );
  for await (const r of client.read(archived[0].path)) {
    expect(isC37118DataFrame(r.data), `${archived[0].path} holds C37.118 data frames`).toBe(true);
    break;
  }
  const checkFile = 'checks/compose-cluster';
  // The check's append joins the archivers' group commits; on a loaded machine a durable commit through three
  // replicas can take longer than the client's default 10 s, so it waits as long as the data phase allows a step.
  const checker = new FileStoreClient({ urls, requestTimeoutMs: CHECK_APPEND_TIMEOUT_MS });
  const record = { userTimeNs: 5_000_000_000n, data: Buffer.from('compose check') };
  for (let attempt = 1; ; attempt++) {
    try {
      const ack = await checker.append(checkFile, [record]);
      expect(ack).toMatchObject({ records: 1, durable: true });
      expect(ack.replicas).toBeGreaterThanOrEqual(2);
      break;
    } catch (error) {
      // The replica holding the append was excluded (falsely suspected on a loaded machine) before it answered: the
      // append may or may not have been ordered. As a user would, look for it before sending it again; the reads
      // below then check that every replica holds it exactly once.
      if (!(error instanceof AppendOutcomeUnknownError) || attempt === CHECK_APPEND_ATTEMPTS) throw error;
      process.stderr.write(`compose e2e: check append outcome unknown (${error.message}); looking for it\n`);
      await new Promise((r) => setTimeout(r, 3000));
      if (await heldByAny(urls, checkFile)) break;
    }
  }
  for (const url of urls) {
    const one = new FileStoreClient({ urls: [url] });
    await vi.waitFor(
      async () => {
        const read: string[] = [];
        for await (const r of one.read(checkFile)) read.push(Buffer.from(r.data).toString());
        expect(read, url).toEqual(['compose check']);
      },
      { timeout: 10_000, interval: 500 },
    );
  }
  process.stderr.write(
    `compose e2e: ${archived.length} raw-frame files in the file store, an append read back\n`,
  );
}

/** Whether any replica answering a read holds a record of `file`. */
async function heldByAny(urls: readonly string[], file: string): Promise<boolean> {
  for (const url of urls) {
    try {
      for await (const r of new FileStoreClient({ urls: [url] }).read(file)) {
        if (r.data.length > 0) return true;
      }
    } catch {
      // A replica not serving (the excluded one, rejoining) is asked no further.
    }
  }
  return false;
}

/** The replicas' data directories are inside the filestore container's volume, so their logs outlive it. */
function expectFileStoreOnItsVolume(s: ComposeService | undefined, desiredFile: string): void {
  expect(s, 'docker-compose.yml has the filestore service').toBeDefined();
  const dataDir = String(
    (YAML.parse(fs.readFileSync(desiredFile, 'utf8')) as { vars: Record<string, string> }).vars[
      'filestore-dir'
    ],
  );
  const mounts = (s!.volumes ?? []).map((v) => v.split(':')[1]);
  expect(mounts, `the filestore container mounts a volume at ${dataDir}`).toContain(dataDir);
}

/** The count of assembled estimates in InfluxDB once at least `enough` are there and `ready()` holds. */
async function storedEstimates(influx: InfluxDB, ready: () => boolean, enough: number): Promise<number> {
  // On a loaded machine the estimators fall behind and shed snapshots, so the first estimates come slowly.
  const deadline = Date.now() + DATA_WAIT_MS;
  let stored = 0;
  while ((!ready() || stored < enough) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await influx
      .query<{ n: number }>(`SELECT count("cost") AS n FROM "raw"."estimate" WHERE "source" = 'live'`)
      .catch(() => []);
    stored = rows[0]?.n ?? 0;
  }
  return stored;
}

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

/** Ports the mapped desired state may take from its portBase on (instances times PORTS_PER_INSTANCE, with room). */
const PORT_BLOCK = 100;
/** The lowest port a block is taken from: below it sit the well-known and registered ports services commonly use. */
const LOWEST_BLOCK_PORT = 10_000;

/**
 * The first port of `count` consecutive ports that all bind on 127.0.0.1 now, taken below the kernel's ephemeral
 * range: a port in that range may be handed at any moment to an outgoing connection (a Kafka client's, say), and
 * an instance told to listen there would then fail to bind.
 */
async function freePortBlock(count: number): Promise<number> {
  const range = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
  const ephemeralLow = Number(range[0]) || 32_768;
  const blocks = Math.floor((ephemeralLow - LOWEST_BLOCK_PORT - count) / count);
  if (blocks < 1)
    throw new Error(`no room for ${count} ports below the ephemeral range (from ${ephemeralLow})`);
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = LOWEST_BLOCK_PORT + Math.floor(Math.random() * blocks) * count;
    let free = true;
    for (let port = base; free && port < base + count; port++) free = await bindable(port);
    if (free) return base;
  }
  throw new Error(`found no ${count} free consecutive ports below ${ephemeralLow} in 20 tries`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The compose desired state as this host runs it: every agent's host 127.0.0.1, a block of ports free here, the
 * external services at the test's addresses, names suffixed per run. Written to `workDir`; returns its path.
 */
function mappedDesiredState(
  file: string,
  o: { topics: Record<string, string>; database: string; workDir: string; run: string; portBase: number },
): string {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  const agents = doc.getIn(['agents']) as YAMLMap<unknown, unknown>;
  for (const pair of agents.items) doc.setIn(['agents', String((pair.key as Scalar).value)], '127.0.0.1');
  doc.setIn(['portBase'], o.portBase);
  const vars: Record<string, string> = {
    kafka: services.kafka.brokers[0],
    influx: `http://${services.influx.host}:${services.influx.port}/${o.database}`,
    redis: `redis://${services.redis.host}:${services.redis.port}`,
    'frames-topic': o.topics['pmu.frames'],
    'snapshots-topic': o.topics['pmu.snapshots'],
    'estimates-topic': o.topics['grid.estimates'],
    'ingest-group': `ingest-${o.run}`,
    'export-dir': o.workDir,
    'filestore-dir': path.join(o.workDir, 'filestore'),
  };
  for (const [name, value] of Object.entries(vars)) {
    expect(doc.hasIn(['vars', name]), `the compose desired state has vars.${name}`).toBe(true);
    doc.setIn(['vars', name], value);
  }
  doc.setIn(['services', 'recorder', 'env', 'GRIDCLOUD_REDIS_PREFIX'], `gridcloud-compose-${o.run}`);
  doc.setIn(['services', 'recorder', 'env', 'GRIDCLOUD_JOB_QUEUE'], `gridcloud-compose-${o.run}`);
  const secretFile = path.join(o.workDir, 'vsync.secret');
  doc.setIn(['env', 'GRIDCLOUD_VSYNC_SECRET_FILE'], secretFile);
  const out = path.join(o.workDir, 'compose-desired-state.yaml');
  fs.writeFileSync(out, doc.toString());
  return out;
}

/** The one-shot service that makes the cluster's vsync secret before any agent starts. */
const SECRET_SERVICE = 'vsync-secret';

/**
 * Runs the secret service's command as compose would (its volume mapped to `file`'s folder): it makes the secret,
 * readable by its owner only, and a second run (`docker compose up` again) keeps it. Every agent then reads it.
 */
async function madeClusterSecret(s: ComposeService | undefined, file: string): Promise<void> {
  expect(s, `docker-compose.yml has the ${SECRET_SERVICE} service`).toBeDefined();
  const command = s!.command!.map((a) => (a === '/run/gridcloud/vsync.secret' ? file : a));
  expect(command, 'the secret goes to the file the agents read').toContain(file);
  const env = { GRIDCLOUD_VSYNC_SECRET: '' };
  const first = LocalProcess.spawn(command, { cwd: process.cwd(), env });
  expect(await first.exited, first.stderr).toBe(0);
  expect(first.lines[0]).toMatchObject({ event: 'secret', created: true });
  const secret = fs.readFileSync(file, 'utf8');
  expect(Buffer.from(secret, 'base64')).toHaveLength(32);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const again = LocalProcess.spawn(command, { cwd: process.cwd(), env });
  expect(await again.exited, again.stderr).toBe(0);
  expect(again.lines[0]).toMatchObject({ event: 'secret', created: false });
  expect(fs.readFileSync(file, 'utf8')).toBe(secret);
}

/** As compose's service_healthy: /health answers 200; an agent that exits first fails at once. */
async function waitHealthy(what: string, httpPort: number, agent: LocalProcess): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let exited = false;
  void agent.exited.then(() => (exited = true));
  let last = 'no answer';
  for (;;) {
    if (exited) throw new Error(`the agent running ${what} exited: ${stderrTail(agent)}`);
    const ok = await fetch(`http://127.0.0.1:${httpPort}/health`).then(
      async (r) => {
        last = `${r.status} ${await r.text()}`;
        return r.status === 200;
      },
      (error: unknown) => {
        last = `no answer (${error instanceof Error ? error.message : String(error)})`;
        return false;
      },
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(
        `${what} not healthy in ${WAIT_MS} ms; its last /health: ${last}; ` +
          `agent stderr: ${stderrTail(agent)}; ${what}'s log: ${instanceLogTail(agent, what)}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The last lines an instance wrote to stderr, from the log folder its agent reported in its `ready` line. */
function instanceLogTail(agent: LocalProcess, instance: string): string {
  const ready = agent.lines.find((l) => l.event === 'ready');
  if (ready === undefined) return 'its agent is not ready yet';
  const file = path.join(String(ready.logDir), `${instance.replace('/', '-')}.log`);
  if (!fs.existsSync(file)) return `${file} does not exist`;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .slice(-15)
    .join('\n');
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

#!/usr/bin/env node
// Installs (when missing), starts, checks and stops the real services that
// GridCloud's integration tests and local cluster use: Redis, InfluxDB 1.x and a
// single-node Apache Kafka in KRaft mode. Everything listens on 127.0.0.1 by
// default, keeps its data in a temporary folder and logs to a file there.
//
//   node scripts/services.mjs up [redis|influx|kafka ...]   start (all by default)
//   node scripts/services.mjs down [names...]               stop what this script started
//   node scripts/services.mjs status                        one line per service
//
// `down` only signals processes whose pid this script recorded, and only when
// that pid still runs the program it started.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { repoRoot, servicesConfig } from './services-config.mjs';

const POLL_INTERVAL_MS = 250;
/** How long a started server's pid may show a command line without its marker before it counts as another process. */
const MARKER_GRACE_MS = 2_000;
const LOG_TAIL_LINES = 30;

export class ServiceUnavailableError extends Error {
  constructor(service, message) {
    super(`${service}: ${message}`);
    this.name = 'ServiceUnavailableError';
    this.service = service;
  }
}

// ---------------------------------------------------------------- state file

function statePath(config) {
  return path.join(config.stateDir, 'state.json');
}

function readState(config) {
  try {
    return JSON.parse(fs.readFileSync(statePath(config), 'utf8'));
  } catch {
    return {};
  }
}

function writeState(config, state) {
  fs.mkdirSync(config.stateDir, { recursive: true });
  fs.writeFileSync(statePath(config), `${JSON.stringify(state, null, 2)}\n`);
}

/** True when `pid` is alive and still runs a command line containing `marker`. */
function runs(pid, marker) {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

/** True while `pid` exists and is not a zombie, whatever its command line shows. */
function alive(pid) {
  try {
    return !/^\d+ \(.*\) Z /s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function tail(file) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------- installing

function which(binary) {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

let aptUpdated = false;

/** Installs a Debian package when `binary` is missing; needs root. */
function ensureDebianPackage(service, binary, pkg) {
  if (which(binary)) return;
  const how = `install it with: sudo apt-get install -y ${pkg}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new ServiceUnavailableError(service, `'${binary}' is not installed and this is not root; ${how}`);
  }
  process.stderr.write(`services: installing ${pkg} for ${service} (apt-get)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    aptUpdated = true;
  }
  const result = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { encoding: 'utf8', env });
  if (result.status !== 0 || !which(binary)) {
    throw new ServiceUnavailableError(
      service,
      `apt-get could not install ${pkg}; ${how}\n${result.stderr ?? ''}`,
    );
  }
}

/** Copies the Kafka broker jars and their dependencies from Maven Central (cached in ~/.m2). */
function ensureKafkaLibs(config) {
  const { libsDir, version } = config.kafka;
  ensureMavenLibs({
    service: 'kafka',
    pom: path.join(repoRoot, 'scripts', 'kafka', 'pom.xml'),
    artifact: 'org.apache.kafka:kafka_2.13',
    versionProperty: 'kafka.version',
    version,
    libsDir,
  });
}

/**
 * Copies the runtime dependencies a pom.xml lists from Maven Central into libsDir (cached in ~/.m2), installing
 * Java and Maven with apt-get when missing. A `.complete` marker makes later calls free; a failed fetch leaves no
 * half-filled libsDir behind.
 */
export function ensureMavenLibs({ service, pom, artifact, versionProperty, version, libsDir }) {
  if (fs.existsSync(path.join(libsDir, '.complete'))) return;
  ensureDebianPackage(service, 'java', 'openjdk-17-jre-headless');
  ensureDebianPackage(service, 'mvn', 'maven');
  process.stderr.write(`services: fetching ${artifact} ${version} from Maven Central\n`);
  const staging = `${libsDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const args = ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-D${versionProperty}=${version}`];
  args.push('-DincludeScope=runtime', `-DoutputDirectory=${staging}`);
  const result = spawnSync('mvn', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new ServiceUnavailableError(
      service,
      `Maven could not fetch ${artifact}:${version}; check access to Maven Central, or run: mvn ${args.join(' ')}\n${result.stdout}${result.stderr}`,
    );
  }
  fs.writeFileSync(path.join(staging, '.complete'), `${version}\n`);
  fs.rmSync(libsDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(libsDir), { recursive: true });
  fs.renameSync(staging, libsDir);
}

// ---------------------------------------------------------------- readiness

function tcpExchange(host, port, request, timeoutMs) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply);
    });
  });
}

async function redisReady(config) {
  const reply = await tcpExchange(config.host, config.redis.port, 'PING\r\n', 1000);
  return reply !== null && reply.startsWith('+PONG');
}

async function influxReady(config) {
  try {
    const response = await fetch(`http://${config.host}:${config.influx.port}/ping`);
    return response.status === 204;
  } catch {
    return false;
  }
}

async function kafkaReady(config) {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'gridcloud-services',
    brokers: [`${config.host}:${config.kafka.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function waitReady(service, config, check, entry) {
  const deadline = Date.now() + config.readyTimeoutMs;
  let foreignSince;
  while (Date.now() < deadline) {
    if (await check(config)) return;
    if (entry && !alive(entry.pid)) {
      throw new ServiceUnavailableError(
        service,
        `exited during start-up; its log ${entry.log} ends with:\n${tail(entry.log)}`,
      );
    }
    // A server rewriting its process title at start-up (redis does) shows no marker for a moment: only a pid that
    // runs something else for longer than MARKER_GRACE_MS is another process.
    if (entry && !runs(entry.pid, entry.marker)) foreignSince ??= Date.now();
    else foreignSince = undefined;
    if (foreignSince !== undefined && Date.now() - foreignSince > MARKER_GRACE_MS) {
      throw new ServiceUnavailableError(
        service,
        `its pid ${entry.pid} runs another program; log ${entry.log}`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
  const log = entry ? `; its log ${entry.log} ends with:\n${tail(entry.log)}` : '';
  throw new ServiceUnavailableError(service, `not ready within ${config.readyTimeoutMs} ms${log}`);
}

// ---------------------------------------------------------------- starting

function launch(command, args, dataDir, logName, options = {}) {
  const log = path.join(dataDir, logName);
  const out = fs.openSync(log, 'a');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', out, out],
    cwd: dataDir,
    ...options,
  });
  child.unref();
  fs.closeSync(out);
  return { pid: child.pid, log };
}

function startRedis(config, dataDir) {
  const args = ['--port', String(config.redis.port), '--bind', config.host, '--dir', dataDir];
  args.push('--save', '', '--appendonly', 'no', '--protected-mode', 'no');
  return { ...launch('redis-server', args, dataDir, 'redis.log'), marker: 'redis-server' };
}

function startInflux(config, dataDir) {
  const conf = path.join(dataDir, 'influxdb.conf');
  fs.writeFileSync(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "${config.host}:${config.influx.rpcPort}"`,
      '[meta]',
      `  dir = "${dataDir}/meta"`,
      '[data]',
      `  dir = "${dataDir}/data"`,
      `  wal-dir = "${dataDir}/wal"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "${config.host}:${config.influx.port}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '',
    ].join('\n'),
  );
  return { ...launch('influxd', ['-config', conf], dataDir, 'influxd.log'), marker: 'influxd' };
}

function kafkaProperties(config, dataDir) {
  const { host } = config;
  const { port, controllerPort } = config.kafka;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}/kraft`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

function kafkaLogConfig(dataDir) {
  return [
    'status = error',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${dataDir}/server.log`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = FILE',
    '',
  ].join('\n');
}

function startKafka(config, dataDir) {
  ensureKafkaLibs(config);
  const props = path.join(dataDir, 'server.properties');
  const logConf = path.join(dataDir, 'log4j2.properties');
  fs.writeFileSync(props, kafkaProperties(config, dataDir));
  fs.writeFileSync(logConf, kafkaLogConfig(dataDir));
  const classpath = path.join(config.kafka.libsDir, '*');
  const jvm = [
    `-Xms${config.kafka.heapMb}m`,
    `-Xmx${config.kafka.heapMb}m`,
    `-Dlog4j2.configurationFile=${logConf}`,
  ];
  const clusterId = randomBytes(16).toString('base64url');
  execFileSync(
    'java',
    [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const args = [...jvm, '-cp', classpath, 'kafka.Kafka', props];
  return { ...launch('java', args, dataDir, 'kafka.out'), marker: 'kafka.Kafka' };
}

async function createKafkaTopics(config) {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'gridcloud-services',
    brokers: [`${config.host}:${config.kafka.port}`],
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = config.kafka.topics.filter((t) => !existing.has(t.topic));
    if (topics.length > 0) await admin.createTopics({ topics, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function createInfluxDatabase(config) {
  const q = encodeURIComponent(`CREATE DATABASE "${config.influx.database}"`);
  const response = await fetch(`http://${config.host}:${config.influx.port}/query?q=${q}`, {
    method: 'POST',
  });
  if (!response.ok) {
    throw new ServiceUnavailableError(
      'influx',
      `CREATE DATABASE failed with HTTP ${response.status}: ${await response.text()}`,
    );
  }
}

const SERVICES = {
  redis: {
    install: () => ensureDebianPackage('redis', 'redis-server', 'redis-server'),
    start: startRedis,
    ready: redisReady,
  },
  influx: {
    install: () => ensureDebianPackage('influx', 'influxd', 'influxdb'),
    start: startInflux,
    ready: influxReady,
    prepare: createInfluxDatabase,
  },
  kafka: { install: ensureKafkaLibs, start: startKafka, ready: kafkaReady, prepare: createKafkaTopics },
};

export const serviceNames = Object.keys(SERVICES);

function checkNames(names) {
  for (const name of names) {
    if (!SERVICES[name]) throw new Error(`unknown service '${name}': choose from ${serviceNames.join(', ')}`);
  }
  return names.length > 0 ? names : serviceNames;
}

/**
 * Starts the named services (all by default) and waits until each is ready.
 * A service already answering on its port is used as it is and never stopped.
 * @returns {Promise<{started: string[]}>} the services this call started.
 */
export async function up(names = [], env = process.env) {
  const config = servicesConfig(env);
  const started = [];
  for (const name of checkNames(names)) {
    const service = SERVICES[name];
    const state = readState(config);
    const known = state[name];
    if (await service.ready(config)) {
      if (service.prepare) await service.prepare(config);
      continue;
    }
    if (known && runs(known.pid, known.marker)) {
      await waitReady(name, config, service.ready, known);
    } else {
      service.install(config);
      fs.mkdirSync(config.dataRoot, { recursive: true });
      const dataDir = fs.mkdtempSync(path.join(config.dataRoot, `${name}-`));
      const entry = { ...service.start(config, dataDir), dataDir, startedAt: new Date().toISOString() };
      writeState(config, { ...readState(config), [name]: entry });
      await waitReady(name, config, service.ready, entry);
      started.push(name);
    }
    if (service.prepare) await service.prepare(config);
  }
  return { started };
}

async function stopOne(config, name, entry) {
  if (!runs(entry.pid, entry.marker)) return false;
  process.kill(entry.pid, 'SIGTERM');
  const deadline = Date.now() + config.stopTimeoutMs;
  while (Date.now() < deadline && runs(entry.pid, entry.marker)) await sleep(POLL_INTERVAL_MS);
  if (runs(entry.pid, entry.marker)) process.kill(entry.pid, 'SIGKILL');
  return true;
}

/** Stops the named services (all by default) that this script started, and removes their data. */
export async function down(names = [], env = process.env) {
  const config = servicesConfig(env);
  const state = readState(config);
  const stopped = [];
  for (const name of checkNames(names)) {
    const entry = state[name];
    if (!entry) continue;
    if (await stopOne(config, name, entry)) stopped.push(name);
    fs.rmSync(entry.dataDir, { recursive: true, force: true });
    delete state[name];
  }
  writeState(config, state);
  return { stopped };
}

/** One line per service: whether it answers, and whether this script started it. */
export async function status(env = process.env) {
  const config = servicesConfig(env);
  const state = readState(config);
  const lines = [];
  for (const name of serviceNames) {
    const entry = state[name];
    const ready = await SERVICES[name].ready(config);
    const owner =
      entry && runs(entry.pid, entry.marker)
        ? `started here, pid ${entry.pid}, log ${entry.log}`
        : 'not started here';
    lines.push(`${name.padEnd(7)}${ready ? 'ready' : 'down '}  (${owner})`);
  }
  return lines;
}

async function main(argv) {
  const [command = 'status', ...names] = argv;
  if (command === 'up') {
    const { started } = await up(names);
    process.stdout.write(
      `services up${started.length ? ` (started: ${started.join(', ')})` : ' (all were already running)'}\n`,
    );
  } else if (command === 'down') {
    const { stopped } = await down(names);
    process.stdout.write(
      `services down${stopped.length ? ` (stopped: ${stopped.join(', ')})` : ' (nothing to stop)'}\n`,
    );
  } else if (command === 'status') {
    process.stdout.write(`${(await status()).join('\n')}\n`);
  } else {
    throw new Error(`unknown command '${command}': use up, down or status`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`services: ${error.message}\n`);
    process.exit(1);
  });
}

/**
 * `npm start`: the monitoring cluster on this machine, nothing external. This process is the host agent and the
 * console: it reads the desired state (apps/cluster/desired-state.yaml, or --desired-state), starts the two
 * supervisors, and they start and keep running everything else, each instance its own OS process on 127.0.0.1.
 * One status line per --status-interval-ms; Ctrl-C stops every process and prints a last line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLUSTER_SETTINGS, parseClusterOptions } from './config/cluster-options';
import { checkPortsFree, effectiveDesiredState } from './config/effective-desired-state';
import { ClusterConsole } from './console/cluster-console';
import { ResultsFeed } from './console/results-feed';
import { ClusterConfigError } from './errors/cluster-config-error';
import { AgentHealth } from './runtime/agent-health';
import { ClusterAgent } from './runtime/cluster-agent';
import { ensureClusterSecret } from './runtime/cluster-secret';
import { agentAddress, bundleEntries, instancesOf, PROJECT_ROOT } from '@gridcloud/supervision';

/** The desired state's service whose HTTP port serves the live web page. */
const DASHBOARD_SERVICE = 'dashboard';
/** The desired state's file-store replicas, whose HTTP ports serve the files API. */
const FILESTORE_SERVICE = 'filestore';

/** A process stopped for a restart gets this long to exit on SIGTERM before SIGKILL. */
const RESTART_GRACE_MS = 2000;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (CLUSTER_SETTINGS.wantsHelp(argv)) {
    process.stdout.write(`${CLUSTER_SETTINGS.help()}\n`);
    return;
  }
  const options = parseClusterOptions(argv, process.env);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridcloud-cluster-'));
  // One secret per run, readable by this user only: every instance reads it (the desired state's env) and keys its
  // vsync links with it, so nothing without it can join, read or inject.
  const secretFile = path.join(runDir, 'vsync.secret');
  ensureClusterSecret(secretFile);
  const desired = effectiveDesiredState(options, runDir, { GRIDCLOUD_VSYNC_SECRET_FILE: secretFile });
  await checkPortsFree(desired.state);
  const out = new ClusterConsole(desired.state, options.jsonStatus);
  // Bundled once here, the instances boot without tsx's loader (a third of the CPU each); inside the project so
  // node_modules resolves, under the git-ignored .gridcloud/, one folder per run.
  const buildDir = path.join(PROJECT_ROOT, '.gridcloud', 'build', path.basename(runDir));
  const entries = [
    ...new Set(desired.state.services.flatMap((s) => (s.entry === undefined ? [] : [s.entry]))),
  ];
  const bundles = await bundleEntries(entries, buildDir, (text) => out.log(text));
  const cluster = new ClusterAgent(
    desired,
    {
      failureTimeoutMs: options.failureTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      restartGraceMs: RESTART_GRACE_MS,
      logDir: runDir,
      bundles,
      vsyncSecret: fs.readFileSync(secretFile, 'utf8'),
      vsyncTls: options.vsyncTls,
    },
    out,
  );
  const health = new AgentHealth(() => cluster.health());
  const healthPort =
    options.httpPort === null ? undefined : await health.listen(desired.state.host, options.httpPort);
  const results = new ResultsFeed(cluster.process, out.board, desired.state.vars.truth, (t) => out.log(t));
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    out.say('stopping: every process gets SIGTERM');
    await cluster.stop(options.stopGraceMs);
    await health.close();
    fs.rmSync(buildDir, { recursive: true, force: true });
    out.status(Date.now());
    out.say('cluster stopped', { stopped: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const ticker = setInterval(() => {
    results.readTruth();
    out.status(Date.now());
  }, options.statusIntervalMs);
  if (options.durationS > 0) setTimeout(() => void stop(), options.durationS * 1000);
  out.say(
    `agent at ${agentAddress(desired.state)}; ${desired.state.services.map((s) => `${s.name} x${s.instances}`).join(', ')}; run directory ${runDir}` +
      (healthPort === undefined ? '' : `; health at http://${desired.state.host}:${healthPort}/health`),
  );
  const instances = instancesOf(desired.state);
  for (const i of instances)
    if (i.service.name === DASHBOARD_SERVICE) out.dashboard(`http://${desired.state.host}:${i.httpPort}/`);
  const fileStore = instances.filter((i) => i.service.name === FILESTORE_SERVICE);
  if (fileStore.length > 0) out.fileStore(fileStore.map((i) => `http://${desired.state.host}:${i.httpPort}`));
  out.board.take(Date.now());
  await cluster.start(() => results.join());
}

main().catch((error: unknown) => {
  const config = error instanceof ClusterConfigError;
  process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(config ? 2 : 1);
});

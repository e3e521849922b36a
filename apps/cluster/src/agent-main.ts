/**
 * A host agent on its own, for a machine or a container that runs part of the cluster (docker-compose.yml: each
 * application container's entrypoint). It runs the desired state's instances placed on `--agent NAME` as local
 * processes, joins `agents` so the supervisors' restart orders reach it, and publishes every spawn and exit there.
 * The agent that runs the supervisors is the first seed and founds the system; the others join through it.
 *
 *     tsx apps/cluster/src/agent-main.ts --desired-state apps/cluster/compose-desired-state.yaml --agent estimators
 *
 * With --vsync-tls-cert/-key/-ca its links use mutual TLS, and every instance it starts gets the same three files.
 *
 * stdout: JSON lines (`process`, `cluster-event`, `instance-ready`, `ready`, `stopped`); stderr: logs. SIGTERM or
 * SIGINT stops every instance (SIGTERM, SIGKILL after --stop-grace-ms), then the agent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clusterSettings, setting, settingsSchema, vsyncSecretOf, vsyncTlsOf } from '@gridcloud/command-line';
import {
  bundleEntries,
  DesiredStateError,
  hostOf,
  parseDesiredState,
  PROJECT_ROOT,
  type ClusterEvent,
  type JsonLine,
  type ProcessEvent,
} from '@gridcloud/supervision';
import { ClusterConfigError } from './errors/cluster-config-error';
import { AgentHealth } from './runtime/agent-health';
import { ClusterAgent } from './runtime/cluster-agent';

const AGENT_SETTINGS = settingsSchema(
  'usage: tsx apps/cluster/src/agent-main.ts --desired-state FILE --agent NAME [flags]',
  {
    desiredStatePath: setting.path({ flag: 'desired-state', doc: 'the desired state', required: true }),
    agent: setting.string({ flag: 'agent', doc: "this agent's name (services' agent:)", required: true }),
    vsyncSecretFile: clusterSettings().vsyncSecretFile,
    vsyncSecret: clusterSettings().vsyncSecret,
    vsyncTlsCert: clusterSettings().vsyncTlsCert,
    vsyncTlsKey: clusterSettings().vsyncTlsKey,
    vsyncTlsCa: clusterSettings().vsyncTlsCa,
    httpPort: clusterSettings().httpPort,
    stopGraceMs: setting.int({
      flag: 'stop-grace-ms',
      doc: 'SIGTERM to SIGKILL when stopping',
      min: 0,
      max: 600_000,
      unit: 'ms',
      default: 5000,
    }),
    failureTimeoutMs: setting.int({
      flag: 'failure-timeout-ms',
      doc: "the agent's vsync failure detection",
      min: 50,
      max: 600_000,
      unit: 'ms',
      default: 1500,
    }),
    heartbeatIntervalMs: setting.int({
      flag: 'heartbeat-interval-ms',
      doc: "the agent's vsync heartbeats",
      min: 10,
      max: 60_000,
      unit: 'ms',
      default: 150,
    }),
  },
  (message) => new ClusterConfigError(message),
);

/** A process stopped for a restart gets this long to exit on SIGTERM before SIGKILL. */
const RESTART_GRACE_MS = 2000;

function line(fields: JsonLine): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

function readState(file: string): ReturnType<typeof parseDesiredState> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClusterConfigError(
      `--desired-state: cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  try {
    return parseDesiredState(text, file);
  } catch (error) {
    if (error instanceof DesiredStateError) throw new ClusterConfigError(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (AGENT_SETTINGS.wantsHelp(argv)) {
    process.stdout.write(`${AGENT_SETTINGS.help()}\n`);
    return;
  }
  const s = AGENT_SETTINGS.parse(argv, process.env);
  const vsyncTls = vsyncTlsOf(s, (message) => new ClusterConfigError(message));
  const file = path.resolve(s.desiredStatePath);
  const state = readState(file);
  const mine = state.services.filter((x) => x.agent === s.agent);
  if (mine.length === 0) throw new ClusterConfigError(`--agent ${s.agent}: no service of ${file} runs on it`);
  const log = (text: string): void => void process.stderr.write(`agent ${s.agent}: ${text}\n`);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `gridcloud-agent-${s.agent}-`));
  const buildDir = path.join(PROJECT_ROOT, '.gridcloud', 'build', path.basename(runDir));
  const entries = [...new Set(mine.flatMap((x) => (x.entry === undefined ? [] : [x.entry])))];
  const bundles = await bundleEntries(entries, buildDir, log);
  const agent = new ClusterAgent(
    { state, path: file },
    {
      failureTimeoutMs: s.failureTimeoutMs,
      heartbeatIntervalMs: s.heartbeatIntervalMs,
      restartGraceMs: RESTART_GRACE_MS,
      logDir: runDir,
      bundles,
      name: s.agent,
      vsyncSecret: vsyncSecretOf(s),
      vsyncTls,
    },
    {
      processEvent: (e: ProcessEvent) => line({ event: 'process', ...e }),
      clusterEvent: (e: ClusterEvent) => line({ event: 'cluster-event', ...e }),
      instanceLine: (instance, l) => {
        if (l.event === 'ready') line({ event: 'instance-ready', instance, atMs: Date.now() });
      },
      systemView: () => undefined,
      log,
    },
  );
  const health = new AgentHealth(() => agent.health());
  const healthPort = s.httpPort === null ? null : await health.listen(hostOf(state, s.agent), s.httpPort);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await agent.stop(s.stopGraceMs);
    await health.close();
    fs.rmSync(buildDir, { recursive: true, force: true });
    line({ event: 'stopped', atMs: Date.now() });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await agent.start();
  line({
    event: 'ready',
    agent: s.agent,
    vsync: agent.process.self.address,
    httpPort: healthPort,
    logDir: runDir,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ClusterConfigError ? 2 : 1);
});

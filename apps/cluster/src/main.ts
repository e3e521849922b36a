/**
 * `npm start`: the monitoring cluster on one machine, with no external
 * services. Each role is its own OS process: the PMU simulator streams
 * C37.118 over TCP from a MATPOWER case, and the ingest PDC aligns the frames
 * into snapshots. A role that crashes is restarted (at most `--max-restarts`
 * times); one status line is printed every `--status-interval-ms`.
 */
import { freePort } from '@gridcloud/command-line';
import { CLUSTER_USAGE, parseClusterOptions, type ClusterOptions } from './cluster-options';
import { ClusterConfigError } from './errors/cluster-config-error';
import { formatIngestStatus, type IngestStats } from './ingest-status';
import { RoleProcess, type RoleEvents, type RoleLine } from './role-process';

const STOP_GRACE_MS = 5000;

class Cluster implements RoleEvents {
  private readonly roles: RoleProcess[] = [];
  private lastStats: IngestStats | undefined;
  private stopped = false;
  private readonly simReady: Promise<RoleLine>;
  private resolveSimReady!: (line: RoleLine) => void;

  constructor(private readonly options: ClusterOptions) {
    this.simReady = new Promise((resolve) => (this.resolveSimReady = resolve));
  }

  async start(): Promise<void> {
    const o = this.options;
    // Fixed for the run, so a restarted simulator keeps its address.
    const port = await freePort();
    const simArgs = [
      '--case',
      o.casePath,
      '--tcp',
      `127.0.0.1:${port}`,
      '--fps',
      String(o.fps),
      '--pmus-per-stream',
      String(o.pmusPerStream),
    ];
    this.launch(new RoleProcess('pmu-sim', 'apps/pmu-sim/src/main.ts', simArgs, this));
    const ready = await this.simReady;
    const streams = ready.streams as { idcode: number; pmus: number[] }[];
    const targets = streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${port}`]);
    const ingestArgs = [
      ...targets,
      '--fps',
      String(o.fps),
      '--stats-interval-ms',
      String(o.statusIntervalMs),
    ];
    this.launch(new RoleProcess('ingest', 'apps/ingest/src/main.ts', ingestArgs, this));
    const pmus = streams.reduce((n, s) => n + s.pmus.length, 0);
    this.say(
      `pmu-sim: ${pmus} PMUs in ${streams.length} C37.118 streams at ${o.fps} frames/s on 127.0.0.1:${port} (${o.casePath})`,
    );
  }

  async stop(code: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.roles.map((role) => role.stop(STOP_GRACE_MS)));
    this.say('cluster stopped');
    process.exit(code);
  }

  line(role: RoleProcess, line: RoleLine): void {
    if (role.name === 'pmu-sim' && line.event === 'ready') this.resolveSimReady(line);
    if (role.name === 'ingest' && line.event === 'stats') {
      const stats = line as unknown as IngestStats;
      this.say(formatIngestStatus(this.lastStats, stats));
      this.lastStats = stats;
    }
  }

  crashed(role: RoleProcess, code: number | null, signal: NodeJS.Signals | null, stderrTail: string): void {
    if (this.stopped) return;
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (role.restarts >= this.options.maxRestarts) {
      this.say(
        `${role.name} ended (${how}) after ${role.restarts} restarts; stopping the cluster\n${stderrTail}`,
      );
      void this.stop(1);
      return;
    }
    role.restarts += 1;
    this.say(
      `${role.name} ended (${how}); restart ${role.restarts} of ${this.options.maxRestarts} in ${this.options.restartDelayMs} ms`,
    );
    setTimeout(() => {
      if (!this.stopped) role.start();
    }, this.options.restartDelayMs);
  }

  private launch(role: RoleProcess): void {
    this.roles.push(role);
    role.start();
    this.say(`${role.name}: started, pid ${role.pid}`);
  }

  private say(text: string): void {
    process.stdout.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
  }
}

async function main(): Promise<void> {
  const options = parseClusterOptions(process.argv.slice(2));
  const cluster = new Cluster(options);
  process.once('SIGINT', () => void cluster.stop(0));
  process.once('SIGTERM', () => void cluster.stop(0));
  if (options.durationS > 0) setTimeout(() => void cluster.stop(0), options.durationS * 1000);
  await cluster.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof ClusterConfigError) process.stderr.write(`${CLUSTER_USAGE}\n`);
  process.exit(error instanceof ClusterConfigError ? 2 : 1);
});

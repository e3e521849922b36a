import type { SystemView } from '@gridcloud/vsync';
import {
  formatClusterEvent,
  instancesOf,
  type ClusterEvent,
  type DesiredState,
  type JsonLine,
  type ProcessEvent,
} from '@gridcloud/supervision';
import type { ClusterAgentListener } from '../runtime/cluster-agent';
import { formatStatus, StatusBoard, type ClusterStatus } from './status-board';

const ESTIMATORS_GROUP = 'estimators';
const ESTIMATOR_SERVICE_GROUP = 'service.estimator';

/**
 * What `npm start` prints: one status line per interval, every restart, give-up and configuration error as it
 * happens, and every process exit the agent saw (with the stderr line that names a configuration error).
 * Text by default, JSON lines with --json-status.
 */
export class ClusterConsole implements ClusterAgentListener {
  readonly board = new StatusBoard();
  private readonly instanceByAddress = new Map<string, string>();

  constructor(
    state: DesiredState,
    private readonly json: boolean,
    private readonly write: (text: string) => void = (t) => process.stdout.write(t),
  ) {
    for (const i of instancesOf(state)) this.instanceByAddress.set(i.address, i.id);
  }

  say(text: string, fields: Record<string, unknown> = {}): void {
    if (this.json) this.write(`${JSON.stringify({ event: 'log', text, ...fields })}\n`);
    else this.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
  }

  /** Where the live page is: a line of its own (`dashboard: URL`), or with --json-status a JSON line. */
  dashboard(url: string): void {
    if (this.json) this.write(`${JSON.stringify({ event: 'dashboard', url })}\n`);
    else this.write(`dashboard: ${url}\n`);
  }

  /** Where the file store's replicas answer (`filestore: URL,URL,...`, or with --json-status a JSON line). */
  fileStore(urls: readonly string[]): void {
    if (this.json) this.write(`${JSON.stringify({ event: 'filestore', urls })}\n`);
    else this.write(`filestore: ${urls.join(',')}\n`);
  }

  status(nowMs: number): ClusterStatus {
    const s = this.board.take(nowMs);
    if (this.json) this.write(`${JSON.stringify({ event: 'status', ...s })}\n`);
    else this.say(formatStatus(s));
    return s;
  }

  processEvent(e: ProcessEvent): void {
    if (e.kind === 'spawned') {
      if (e.instance.startsWith('ingest/') && !e.alreadyRunning) this.board.onIngestStarted();
      if (!e.alreadyRunning) this.emit(`${e.instance}: started, pid ${e.pid}`, { process: e });
      return;
    }
    if (e.ordered) return;
    const how = e.signal === null ? `exit code ${e.code}` : `signal ${e.signal}`;
    const cause = e.code === 2 ? `: ${e.lastStderrLine}` : '';
    this.emit(`${e.instance}: pid ${e.pid} ended (${how})${cause}`, { process: e });
  }

  clusterEvent(e: ClusterEvent): void {
    if (e.kind === 'restarting') this.board.onRestart();
    if (this.json) this.write(`${JSON.stringify({ event: 'cluster-event', ...e })}\n`);
    else this.say(formatClusterEvent(e));
  }

  instanceLine(instance: string, line: JsonLine): void {
    if (instance.startsWith('ingest/') && line.event === 'stats') this.board.onIngestStats(line);
    // The start-up timeline (bench/e2e/startup.ts) reads when each instance began to serve.
    if (line.event === 'ready' && this.json)
      this.write(`${JSON.stringify({ event: 'instance-ready', instance, atMs: Date.now() })}
`);
    if (line.event === 'role' && line.acting === true)
      this.emit(`${instance}: acting supervisor`, { role: { ...line, instance } });
  }

  systemView(view: SystemView): void {
    const alive = new Set(
      view.groups.find((g) => g.name === ESTIMATOR_SERVICE_GROUP)?.members.map((m) => m.address) ?? [],
    );
    const workers = view.groups.find((g) => g.name === ESTIMATORS_GROUP)?.members ?? [];
    this.board.onEstimators(
      workers
        .filter((m) => alive.has(m.address))
        .map((m) => this.instanceByAddress.get(m.address) ?? m.address),
    );
  }

  log(text: string): void {
    process.stderr.write(`cluster: ${text}\n`);
  }

  /** A line of text, or with --json-status the event as a JSON line with its instance. */
  private emit(text: string, fields: { process?: ProcessEvent; role?: JsonLine }): void {
    if (!this.json) this.say(text);
    else if (fields.process !== undefined)
      this.write(`${JSON.stringify({ event: 'process', ...fields.process })}\n`);
    else this.write(`${JSON.stringify({ ...fields.role, event: 'role' })}\n`);
  }
}

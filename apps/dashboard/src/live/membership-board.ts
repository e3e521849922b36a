import type { ClusterEvent } from '@gridcloud/supervision';
import type { SystemView } from '@gridcloud/vsync';

/** One line of the membership panel's history. */
export interface MembershipEvent {
  readonly atMs: number;
  readonly kind: 'joined' | 'left' | 'failed' | 'restarting' | 'restarted' | 'gave-up' | 'config-error';
  readonly text: string;
}

/** The membership panel: the latest system view's groups (the service of each member where known) and history. */
export interface MembershipPanel {
  readonly systemViewId: number | null;
  readonly processes: number;
  readonly groups: { readonly name: string; readonly viewId: number; readonly members: string[] }[];
  readonly events: MembershipEvent[];
}

/**
 * What the membership panel shows, from the system views this process installs and the supervisors' cluster
 * events: every group's current members (without joining those groups), processes that joined, left or failed
 * between views, and restarts as the supervisors report them. The history keeps the latest maxEvents lines.
 */
export class MembershipBoard {
  private view: SystemView | undefined;
  private readonly events: MembershipEvent[] = [];

  constructor(readonly maxEvents: number) {
    if (!Number.isInteger(maxEvents) || maxEvents < 1)
      throw new RangeError(`maxEvents must be a positive integer, got ${maxEvents}`);
  }

  onSystemView(next: SystemView, nowMs: number): void {
    const before = new Set(this.view?.members.map(key) ?? []);
    const services = serviceNames(next);
    for (const p of next.members)
      if (this.view !== undefined && !before.has(key(p)))
        this.push({ atMs: nowMs, kind: 'joined', text: `${describe(p, services)} joined` });
    // A process gone from the view is a departure when the view says it left, else a failure: a process that
    // restarts at its address replaces its old incarnation, which the view may not list as failed.
    const now = new Set(next.members.map(key));
    const left = new Set(next.left.map(key));
    const old = this.view === undefined ? services : serviceNames(this.view);
    const gone = new Map<string, ProcessRef>();
    for (const p of [...(this.view?.members ?? []), ...next.left, ...next.failed])
      if (!now.has(key(p))) gone.set(key(p), p);
    for (const [k, p] of gone) {
      const kind = left.has(k) ? 'left' : 'failed';
      this.push({ atMs: nowMs, kind, text: `${describe(p, old)} ${kind}` });
    }
    this.view = next;
  }

  onClusterEvent(e: ClusterEvent, nowMs: number): void {
    this.push({ atMs: nowMs, kind: e.kind, text: clusterEventText(e) });
  }

  panel(): MembershipPanel {
    const v = this.view;
    const services = v === undefined ? new Map<string, string>() : serviceNames(v);
    return {
      systemViewId: v?.id ?? null,
      processes: v?.members.length ?? 0,
      groups: (v?.groups ?? [])
        .map((g) => ({
          name: g.name,
          viewId: g.groupViewId,
          members: g.members.map((m) => describe(m, services)),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      events: [...this.events],
    };
  }

  private push(e: MembershipEvent): void {
    this.events.push(e);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }
}

/** A process as views list it. */
interface ProcessRef {
  readonly address: string;
  readonly incarnation: number;
}

function key(p: ProcessRef): string {
  return `${p.address}#${p.incarnation}`;
}

/** Each process's service, from the liveness groups (`service.<name>`) it is in. */
function serviceNames(v: SystemView): Map<string, string> {
  const names = new Map<string, string>();
  for (const g of v.groups)
    if (g.name.startsWith('service.'))
      for (const m of g.members) names.set(key(m), g.name.slice('service.'.length));
  return names;
}

function describe(p: { address: string; incarnation: number }, services: Map<string, string>): string {
  const service = services.get(key(p));
  return `${service === undefined ? '' : `${service} `}${p.address}#${p.incarnation}`;
}

function clusterEventText(e: ClusterEvent): string {
  switch (e.kind) {
    case 'restarting':
      return `${e.instance}: ${e.reason}; restart ${e.restartInWindow} of ${e.maxRestarts}`;
    case 'restarted':
      return `${e.instance}: rejoined ${e.rejoinMs} ms after ${e.reason}`;
    case 'gave-up':
      return `${e.instance}: gave up after ${e.restartsInWindow} restarts (${e.reason})`;
    case 'config-error':
      return `${e.instance}: configuration error, not restarted: ${e.message}`;
  }
}

import { describe, expect, it } from 'vitest';
import { instancesOf } from '../desired-state/instance-layout';
import { parseDesiredState } from '../desired-state/parse-desired-state';
import type { ProcessEvent } from './agent-messages';
import type { ClusterEvent } from './cluster-event';
import { toRestartHistory } from './restart-history';
import { SupervisorCore, type ObservedView, type SupervisorEffect } from './supervisor-core';

const STATE = parseDesiredState(
  `
portBase: 40000
restart: { maxRestarts: 3, windowMs: 60000, backoffInitialMs: 1000, backoffMaxMs: 3000, joinTimeoutMs: 5000 }
services:
  supervisor: { instances: 2, entry: s.ts }
  worker: { instances: 2, entry: w.ts }
`,
  'spec.yaml',
);
const INSTANCES = instancesOf(STATE);
const address = (id: string): string => INSTANCES.find((i) => i.id === id)!.address;

/** A system view with these instances (id@incarnation) in their alive groups. */
function view(...members: string[]): ObservedView {
  const groups = new Map<string, { address: string; incarnation: number }[]>();
  for (const m of members) {
    const [id, inc] = m.split('@');
    const group = `service.${id.split('/')[0]}`;
    groups.set(group, [...(groups.get(group) ?? []), { address: address(id), incarnation: Number(inc) }]);
  }
  return { groups: [...groups].map(([name, ms]) => ({ name, members: ms })) };
}

function exited(
  instance: string,
  generation: number,
  code: number | null,
  signal: string | null = null,
): ProcessEvent {
  return {
    kind: 'exited',
    agent: 'local',
    instance,
    generation,
    pid: 1,
    code,
    signal,
    ordered: false,
    lastStderrLine: code === 2 ? 'worker: --fps must be an integer in [1, 240], got fast' : '',
    atMs: 0,
  };
}

function spawned(instance: string, generation: number): ProcessEvent {
  return { kind: 'spawned', agent: 'local', instance, generation, pid: 1, alreadyRunning: false, atMs: 0 };
}

const ALL_UP = ['supervisor/0@1', 'supervisor/1@1', 'worker/0@1', 'worker/1@1'];

function orders(effects: SupervisorEffect[]): string[] {
  return effects.flatMap((e) => (e.type === 'order' ? [`${e.order.kind} ${e.order.instance.id}`] : []));
}

function reports(effects: SupervisorEffect[]): ClusterEvent[] {
  return effects.flatMap((e) => (e.type === 'report' ? [e.event] : []));
}

/** An acting core that has seen everything up, each instance spawned once. */
function actingCore(): SupervisorCore {
  const core = new SupervisorCore(INSTANCES);
  core.step({ type: 'role', nowMs: 0, acting: true });
  core.step({ type: 'view', nowMs: 0, view: view(...ALL_UP) });
  for (const i of INSTANCES) core.step({ type: 'process', nowMs: 0, event: spawned(i.id, 1) });
  return core;
}

describe('SupervisorCore', () => {
  it('starts what the first view does not show, and nothing that runs', () => {
    const core = new SupervisorCore(INSTANCES);
    core.step({ type: 'role', nowMs: 0, acting: true });
    const out = core.step({ type: 'view', nowMs: 0, view: view('supervisor/0@1', 'supervisor/1@1') });
    expect(orders(out)).toEqual(['start worker/0', 'start worker/1']);
    expect(reports(out)).toEqual([]);
  });

  it('restarts a SIGKILLed instance at once, once, and reports the time until its new incarnation joined', () => {
    const core = actingCore();
    const out = core.step({ type: 'process', nowMs: 1000, event: exited('worker/1', 1, null, 'SIGKILL') });
    expect(orders(out)).toEqual(['restart worker/1']);
    expect(reports(out)[0]).toMatchObject({
      kind: 'restarting',
      reason: 'exited (signal SIGKILL)',
      orderAtMs: 1000,
    });
    // The view excluding the old incarnation comes later: the restart already answers it.
    const others = ['supervisor/0@1', 'supervisor/1@1', 'worker/0@1'];
    expect(core.step({ type: 'view', nowMs: 2500, view: view(...others) })).toEqual([]);
    core.step({ type: 'process', nowMs: 1100, event: spawned('worker/1', 2) });
    const joined = core.step({ type: 'view', nowMs: 3200, view: view(...others, 'worker/1@2') });
    expect(reports(joined)).toEqual([
      expect.objectContaining({ kind: 'restarted', instance: 'worker/1', failedAtMs: 1000, rejoinMs: 2200 }),
    ]);
    expect(core.phaseOf('worker/1')).toBe('up');
  });

  it('waits for an excluded instance its agent reports running; restarts it once the grace has passed, and ignores the late exit of the process it replaced', () => {
    const core = actingCore();
    const others = view('supervisor/0@1', 'supervisor/1@1', 'worker/0@1');
    expect(orders(core.step({ type: 'view', nowMs: 100, view: others }))).toEqual([]);
    expect(core.phaseOf('worker/1')).toBe('suspected');
    expect(core.step({ type: 'tick', nowMs: 5099 })).toEqual([]);
    const out = core.step({ type: 'tick', nowMs: 5100 });
    expect(orders(out)).toEqual(['restart worker/1']);
    expect(reports(out)[0]).toMatchObject({
      reason: 'left the view of service.worker and did not rejoin within 5000 ms',
    });
    expect(core.step({ type: 'process', nowMs: 5150, event: exited('worker/1', 1, 1) })).toEqual([]);
    core.step({ type: 'process', nowMs: 5200, event: spawned('worker/1', 2) });
    const joined = core.step({ type: 'view', nowMs: 6100, view: view(...ALL_UP.slice(0, 3), 'worker/1@2') });
    // The outage is counted from the moment it left the view, the wait included.
    expect(reports(joined)).toEqual([
      expect.objectContaining({ kind: 'restarted', failedAtMs: 100, rejoinMs: 6000 }),
    ]);
  });

  it('does not restart a falsely suspected instance that rejoins by itself under a new incarnation', () => {
    const core = actingCore();
    core.step({ type: 'view', nowMs: 100, view: view('supervisor/0@1', 'supervisor/1@1', 'worker/0@1') });
    const back = core.step({ type: 'view', nowMs: 2100, view: view(...ALL_UP.slice(0, 3), 'worker/1@2') });
    expect(back).toEqual([]);
    expect(core.phaseOf('worker/1')).toBe('up');
    expect(core.step({ type: 'tick', nowMs: 9000 })).toEqual([]);
  });

  it('restarts a suspected instance at once when its agent reports the process ended', () => {
    const core = actingCore();
    core.step({ type: 'view', nowMs: 100, view: view('supervisor/0@1', 'supervisor/1@1', 'worker/0@1') });
    const out = core.step({ type: 'process', nowMs: 300, event: exited('worker/1', 1, null, 'SIGKILL') });
    expect(orders(out)).toEqual(['restart worker/1']);
  });

  it('restarts an excluded instance at once when its suspect grace is 0', () => {
    const state = parseDesiredState(
      `
portBase: 40000
restart: { suspectGraceMs: 0 }
services:
  supervisor: { instances: 2, entry: s.ts }
  worker: { instances: 2, entry: w.ts }
`,
      'spec.yaml',
    );
    const core = new SupervisorCore(instancesOf(state));
    core.step({ type: 'role', nowMs: 0, acting: true });
    core.step({ type: 'view', nowMs: 0, view: view(...ALL_UP) });
    for (const i of INSTANCES) core.step({ type: 'process', nowMs: 0, event: spawned(i.id, 1) });
    const out = core.step({
      type: 'view',
      nowMs: 100,
      view: view('supervisor/0@1', 'supervisor/1@1', 'worker/0@1'),
    });
    expect(orders(out)).toEqual(['restart worker/1']);
    expect(reports(out)[0]).toMatchObject({ reason: 'left the view of service.worker' });
  });

  it('a replacement supervisor sent the history keeps the restart budget instead of beginning it anew', () => {
    const old = actingCore();
    let generation = 1;
    const crash = (core: SupervisorCore, nowMs: number): SupervisorEffect[] => {
      const out = core.step({
        type: 'process',
        nowMs,
        event: exited('worker/1', generation, null, 'SIGKILL'),
      });
      core.step({ type: 'tick', nowMs: nowMs + 3000 }); // past any backoff: the restart order goes out
      generation += 1;
      core.step({ type: 'process', nowMs: nowMs + 3001, event: spawned('worker/1', generation) });
      const up = view(...ALL_UP.slice(0, 3), `worker/1@${generation}`);
      core.step({ type: 'view', nowMs: nowMs + 3002, view: up });
      return out;
    };
    crash(old, 1000);
    crash(old, 5000);
    // The replacement joins with the old member's history (through JSON, as on the group).
    const fresh = new SupervisorCore(INSTANCES);
    const sent = toRestartHistory(JSON.parse(JSON.stringify(old.history())));
    fresh.step({ type: 'history', nowMs: 9000, history: sent });
    fresh.step({ type: 'role', nowMs: 9000, acting: true });
    fresh.step({ type: 'view', nowMs: 9000, view: view(...ALL_UP.slice(0, 3), `worker/1@${generation}`) });
    fresh.step({ type: 'process', nowMs: 9000, event: spawned('worker/1', generation) });
    expect(reports(crash(fresh, 10_000))[0]).toMatchObject({ kind: 'restarting', restartInWindow: 3 });
    expect(reports(crash(fresh, 14_000))[0]).toMatchObject({ kind: 'gave-up', instance: 'worker/1' });
    // Without the history the first of these would have been restart 1 of a fresh budget.
    expect(() => toRestartHistory({ 'worker/1': { restartsAtMs: ['x'], attempt: 1 } })).toThrow(
      /restartsAtMs/,
    );
  });

  it('backs off: the first restart in the window is immediate, the next ones wait 1 s, 2 s, capped at 3 s', () => {
    const core = actingCore();
    const delays: number[] = [];
    let now = 0;
    let generation = 1;
    for (let i = 0; i < 3; i += 1) {
      const out = core.step({ type: 'process', nowMs: now, event: exited('worker/0', generation, 1) });
      const restarting = reports(out).find((e) => e.kind === 'restarting')!;
      delays.push(restarting.orderAtMs - restarting.failedAtMs);
      expect(orders(out)).toEqual(delays.at(-1) === 0 ? ['restart worker/0'] : []);
      if (delays.at(-1)! > 0) {
        expect(orders(core.step({ type: 'tick', nowMs: restarting.orderAtMs - 1 }))).toEqual([]);
        expect(orders(core.step({ type: 'tick', nowMs: restarting.orderAtMs }))).toEqual([
          'restart worker/0',
        ]);
      }
      generation += 1;
      now = restarting.orderAtMs + 10;
      core.step({ type: 'process', nowMs: now, event: spawned('worker/0', generation) });
    }
    expect(delays).toEqual([0, 1000, 2000]);
  });

  it('gives an instance up once its restart budget for the window is spent, and counts only the window', () => {
    const core = actingCore();
    let generation = 1;
    const failAt = (nowMs: number): SupervisorEffect[] => {
      const out = core.step({ type: 'process', nowMs, event: exited('worker/0', generation, 1) });
      out.push(...core.step({ type: 'tick', nowMs: nowMs + 3000 }));
      generation += 1;
      core.step({ type: 'process', nowMs: nowMs + 3001, event: spawned('worker/0', generation) });
      return out;
    };
    for (const t of [0, 10_000, 20_000]) expect(orders(failAt(t))).toEqual(['restart worker/0']);
    const out = failAt(30_000);
    expect(orders(out)).toEqual([]);
    expect(reports(out)).toEqual([expect.objectContaining({ kind: 'gave-up', restartsInWindow: 3 })]);
    expect(core.phaseOf('worker/0')).toBe('stopped');

    // Another instance failing rarely (once a minute) is never given up.
    for (let t = 0; t < 5 * 70_000; t += 70_000) {
      const o = core.step({ type: 'process', nowMs: t, event: exited('worker/1', t / 70_000 + 1, 1) });
      expect(orders(o)).toEqual(['restart worker/1']);
      core.step({ type: 'process', nowMs: t + 1, event: spawned('worker/1', t / 70_000 + 2) });
    }
  });

  it('reports a configuration error (exit code 2) at once with its stderr line, and never retries it', () => {
    const core = actingCore();
    const out = core.step({ type: 'process', nowMs: 500, event: exited('worker/0', 1, 2) });
    expect(orders(out)).toEqual([]);
    expect(reports(out)).toEqual([
      expect.objectContaining({
        kind: 'config-error',
        instance: 'worker/0',
        code: 2,
        message: 'worker: --fps must be an integer in [1, 240], got fast',
      }),
    ]);
    expect(orders(core.step({ type: 'tick', nowMs: 100_000 }))).toEqual([]);
    expect(core.phaseOf('worker/0')).toBe('stopped');
  });

  it('restarts an instance that never joins its group after the join timeout, and counts it against the budget', () => {
    const core = new SupervisorCore(INSTANCES);
    core.step({ type: 'role', nowMs: 0, acting: true });
    core.step({ type: 'view', nowMs: 0, view: view('supervisor/0@1', 'supervisor/1@1', 'worker/0@1') });
    core.step({ type: 'process', nowMs: 10, event: spawned('worker/1', 1) });
    expect(orders(core.step({ type: 'tick', nowMs: 4999 }))).toEqual([]);
    const out = core.step({ type: 'tick', nowMs: 5000 });
    expect(orders(out)).toEqual(['restart worker/1']);
    expect(reports(out)[0]).toMatchObject({ reason: 'did not join service.worker within 5000 ms' });
  });

  it('a standby decides like the acting member but orders nothing; on takeover it repeats pending orders as start', () => {
    const standby = new SupervisorCore(INSTANCES);
    standby.step({ type: 'role', nowMs: 0, acting: false });
    standby.step({ type: 'view', nowMs: 0, view: view(...ALL_UP) });
    // The acting supervisor/0 is SIGKILLed; the standby hears the agent's exit event but does not act on it.
    expect(
      standby.step({ type: 'process', nowMs: 100, event: exited('supervisor/0', 1, null, 'SIGKILL') }),
    ).toEqual([]);
    expect(standby.phaseOf('supervisor/0')).toBe('starting');
    const takeover = standby.step({ type: 'role', nowMs: 1600, acting: true });
    expect(orders(takeover)).toEqual(['start supervisor/0']);
    // The replacement joins: the restart is reported by the member acting now.
    standby.step({ type: 'process', nowMs: 1700, event: spawned('supervisor/0', 2) });
    const joined = standby.step({
      type: 'view',
      nowMs: 4000,
      view: view('supervisor/1@1', 'supervisor/0@2', 'worker/0@1', 'worker/1@1'),
    });
    expect(reports(joined)).toEqual([
      expect.objectContaining({ kind: 'restarted', instance: 'supervisor/0', rejoinMs: 3900 }),
    ]);
  });
});

describe('SupervisorCore, a standby hearing the acting member', () => {
  it('reports a configuration error heard (in a roster) before its role was known, once it acts', () => {
    const core = new SupervisorCore(INSTANCES);
    expect(core.step({ type: 'process', nowMs: 10, event: spawned('worker/1', 1) })).toEqual([]);
    expect(core.step({ type: 'process', nowMs: 20, event: exited('worker/1', 1, 2) })).toEqual([]);
    const out = core.step({ type: 'role', nowMs: 30, acting: true });
    expect(reports(out)).toEqual([expect.objectContaining({ kind: 'config-error', instance: 'worker/1' })]);
    const standby = new SupervisorCore(INSTANCES);
    standby.step({ type: 'process', nowMs: 20, event: exited('worker/1', 1, 2) });
    expect(standby.step({ type: 'role', nowMs: 30, acting: false })).toEqual([]);
    expect(standby.step({ type: 'role', nowMs: 40, acting: true })).toEqual([]);
  });

  it("treats exits as stale only after seeing the acting member's order, so a config error is not missed", () => {
    const standby = new SupervisorCore(INSTANCES);
    // The spawn is heard before the first view, which does not show worker/1 yet: the standby's own decision to
    // start it sends nothing, so the exit that follows is the running process's, not an older one's.
    standby.step({ type: 'process', nowMs: 0, event: spawned('worker/1', 1) });
    standby.step({ type: 'view', nowMs: 1, view: view('supervisor/0@1', 'supervisor/1@1', 'worker/0@1') });
    standby.step({ type: 'process', nowMs: 5, event: exited('worker/1', 1, 2) });
    expect(standby.phaseOf('worker/1')).toBe('stopped');
    expect(orders(standby.step({ type: 'role', nowMs: 6, acting: true }))).toEqual([]);
    const again = new SupervisorCore(INSTANCES);
    again.step({ type: 'view', nowMs: 0, view: view('supervisor/0@1', 'supervisor/1@1', 'worker/0@1') });
    again.step({ type: 'ordered', nowMs: 1, instance: 'worker/1' });
    again.step({ type: 'process', nowMs: 2, event: spawned('worker/1', 1) });
    again.step({ type: 'process', nowMs: 3, event: exited('worker/1', 1, 2) });
    expect(again.phaseOf('worker/1')).toBe('stopped');
    expect(orders(again.step({ type: 'role', nowMs: 4, acting: true }))).toEqual([]);
  });
});

describe('SupervisorCore, a service without an alive group (aliveGroup: none)', () => {
  it("takes the agent's reports as liveness: restarted when it exits, up again when it is spawned", () => {
    const state = parseDesiredState('services:\n  sim: { entry: s.ts, aliveGroup: none }\n', 'spec.yaml');
    const core = new SupervisorCore(instancesOf(state));
    core.step({ type: 'role', nowMs: 0, acting: true });
    expect(orders(core.step({ type: 'view', nowMs: 0, view: { groups: [] } }))).toEqual(['start sim/0']);
    core.step({ type: 'process', nowMs: 10, event: spawned('sim/0', 1) });
    expect(core.phaseOf('sim/0')).toBe('up');
    expect(core.step({ type: 'view', nowMs: 20, view: { groups: [] } })).toEqual([]);
    expect(orders(core.step({ type: 'process', nowMs: 30, event: exited('sim/0', 1, 1) }))).toEqual([
      'restart sim/0',
    ]);
    const back = core.step({ type: 'process', nowMs: 45, event: spawned('sim/0', 2) });
    expect(reports(back)).toEqual([expect.objectContaining({ kind: 'restarted', rejoinMs: 15 })]);
  });
});

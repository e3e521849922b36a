import { describe, expect, it } from 'vitest';
import type { Launch } from '../desired-state/instance-layout';
import type { AgentOrder, ProcessEvent } from '../protocol/agent-messages';
import { HostAgent } from './host-agent';
import type { ProcessExit } from './local-process';
import type { ProcessDriver, RunningInstance } from './process-driver';

/** A driver whose processes run until the spec ends them: the agent's bookkeeping is what is under test. */
class ScriptedDriver implements ProcessDriver {
  readonly started: { instance: string; end: (exit: ProcessExit) => void; running: boolean }[] = [];

  start(instance: string): RunningInstance {
    let end!: (exit: ProcessExit) => void;
    const exit = new Promise<ProcessExit>((resolve) => (end = resolve));
    const entry = { instance, end, running: true };
    void exit.then(() => (entry.running = false));
    this.started.push(entry);
    return {
      pid: 1000 + this.started.length,
      exit,
      lastStderrLine: 'bad flag',
      get running() {
        return entry.running;
      },
      stop: async () => {
        end({ code: null, signal: 'SIGTERM' });
        await exit;
      },
    };
  }
}

const LAUNCH: Launch = { command: ['x'], entry: undefined, env: {} };
const order = (kind: AgentOrder['kind'], instance = 'w/0', agent = 'local'): AgentOrder => ({
  kind,
  agent,
  instance,
  attempt: 1,
  reason: 'test',
  launch: LAUNCH,
});

function agentWith(driver: ScriptedDriver, events: ProcessEvent[]): HostAgent {
  return new HostAgent({
    name: 'local',
    driver,
    publish: (e) => events.push(e),
    restartGraceMs: 10,
    now: () => 7,
  });
}

describe('HostAgent', () => {
  it('runs one process per instance: a repeated start only reports it, a restart stops it first', async () => {
    const driver = new ScriptedDriver();
    const events: ProcessEvent[] = [];
    const agent = agentWith(driver, events);
    await Promise.all([agent.carryOut(order('start')), agent.carryOut(order('start'))]);
    expect(driver.started).toHaveLength(1);
    expect(events.map((e) => [e.kind, e.generation, e.kind === 'spawned' && e.alreadyRunning])).toEqual([
      ['spawned', 1, false],
      ['spawned', 1, true],
    ]);
    await agent.carryOut(order('restart'));
    await Promise.resolve();
    expect(driver.started).toHaveLength(2);
    expect(driver.started[0].running).toBe(false);
    const exited = events.find((e) => e.kind === 'exited');
    expect(exited).toMatchObject({ generation: 1, ordered: true });
    expect(agent.roster()).toEqual([expect.objectContaining({ kind: 'spawned', generation: 2 })]);
  });

  it('reports an exit it did not cause with code and stderr line, and ignores orders for other agents', async () => {
    const driver = new ScriptedDriver();
    const events: ProcessEvent[] = [];
    const agent = agentWith(driver, events);
    await agent.carryOut(order('start', 'w/0', 'elsewhere'));
    expect(driver.started).toHaveLength(0);
    await agent.carryOut(order('start'));
    driver.started[0].end({ code: 2, signal: null });
    await new Promise((r) => setTimeout(r, 0));
    expect(events.at(-1)).toEqual({
      kind: 'exited',
      agent: 'local',
      instance: 'w/0',
      generation: 1,
      pid: 1001,
      code: 2,
      signal: null,
      ordered: false,
      lastStderrLine: 'bad flag',
      atMs: 7,
    });
    expect(agent.roster()).toEqual([events.at(-1)]);
    expect(agent.running()).toEqual([]);
  });
});

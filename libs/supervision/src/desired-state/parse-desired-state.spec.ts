import { describe, expect, it } from 'vitest';
import { DesiredStateError } from '../errors/desired-state-error';
import { agentAddress, instancesOf, launchOf, seedsOf } from './instance-layout';
import { parseDesiredState } from './parse-desired-state';

const GOOD = `
portBase: 30000
vars:
  fps: 30
restart:
  maxRestarts: 3
services:
  supervisor:
    instances: 2
    entry: apps/supervisor/src/main.ts
    args: [--vsync-port, '{vsyncPort}', --vsync-seeds, '{seeds}']
  pmu-sim:
    entry: apps/pmu-sim/src/main.ts
    ports: [c37]
    args: [--tcp, '{host}:{port.c37}', --fps, '{var.fps}']
    restart: { backoffInitialMs: 100 }
  ingest:
    command: [/usr/bin/env, ingest]
    args: [--tcp, '60000@{pmu-sim/0.port.c37}', --instance-id, '{instance}']
`;

function errorOf(text: string): DesiredStateError {
  try {
    parseDesiredState(text, 'state.yaml');
  } catch (error) {
    if (error instanceof DesiredStateError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('parseDesiredState', () => {
  it("places each agent's instances on its host (one container per agent): addresses, {host} and the seeds", () => {
    const state = parseDesiredState(
      `
portBase: 7000
agents: { supervisors: supervisor, estimators: estimator }
services:
  supervisor:
    instances: 2
    agent: supervisors
    entry: apps/supervisor/src/main.ts
    args: [--vsync-host, '{host}', --vsync-seeds, '{seeds}']
  estimator:
    agent: estimators
    entry: apps/estimator/src/main.ts
    args: [--vsync-host, '{host}', --vsync-port, '{vsyncPort}']
  dashboard:
    entry: apps/dashboard/src/main.ts
`,
      'state.yaml',
    );
    expect(instancesOf(state).map((i) => i.address)).toEqual([
      'supervisor:7001',
      'supervisor:7005',
      'estimator:7009',
      '127.0.0.1:7013',
    ]);
    expect(agentAddress(state)).toBe('supervisor:7000');
    expect(seedsOf(state)).toEqual(['supervisor:7000', 'supervisor:7001', 'supervisor:7005']);
    const estimator = instancesOf(state).find((i) => i.id === 'estimator/0')!;
    expect(launchOf(state, estimator, 'state.yaml').command).toEqual([
      '--vsync-host',
      'estimator',
      '--vsync-port',
      '7009',
    ]);
  });

  it('reads services with defaults, and lays out fixed ports per instance after the agent', () => {
    const state = parseDesiredState(GOOD, 'state.yaml');
    expect(state.services.map((s) => [s.name, s.instances, s.aliveGroup])).toEqual([
      ['supervisor', 2, 'service.supervisor'],
      ['pmu-sim', 1, 'service.pmu-sim'],
      ['ingest', 1, 'service.ingest'],
    ]);
    expect(state.services[1].restart).toMatchObject({ maxRestarts: 3, backoffInitialMs: 100 });
    const instances = instancesOf(state);
    expect(instances.map((i) => [i.id, i.vsyncPort, i.httpPort])).toEqual([
      ['supervisor/0', 30001, 30002],
      ['supervisor/1', 30005, 30006],
      ['pmu-sim/0', 30009, 30010],
      ['ingest/0', 30013, 30014],
    ]);
    expect(seedsOf(state)).toEqual(['127.0.0.1:30000', '127.0.0.1:30001', '127.0.0.1:30005']);
    expect(launchOf(state, instances[2], 'f').command).toEqual(['--tcp', '127.0.0.1:30011', '--fps', '30']);
    expect(launchOf(state, instances[3], 'f').command).toEqual([
      '/usr/bin/env',
      'ingest',
      '--tcp',
      '60000@30011',
      '--instance-id',
      'ingest/0',
    ]);
  });

  it('names the line of an unknown key, a bad value, a bad placeholder and a YAML syntax error', () => {
    expect(errorOf('services:\n  a:\n    entry: x.ts\n    instanses: 2\n').message).toBe(
      "state.yaml:4: unknown key 'instanses' in services.a; known keys: instances, entry, command, args, nodeFlags, env, aliveGroup, ports, agent, restart",
    );
    expect(errorOf('services:\n  a:\n    entry: x.ts\n    instances: two\n').message).toBe(
      'state.yaml:4: services.a.instances must be an integer in [0, 1000]',
    );
    const placeholder = errorOf(
      'services:\n  a:\n    entry: x.ts\n    args:\n      - --port\n      - "{nope}"\n',
    );
    expect(placeholder.line).toBe(6);
    expect(placeholder.message).toContain('{nope} is not a known placeholder');
    expect(errorOf('services:\n  a: [1,\n').line).toBeGreaterThan(1);
    expect(errorOf('services:\n  a:\n    args: []\n').message).toMatch(
      /:3: services.a needs exactly one of entry/,
    );
  });

  it('passes nodeFlags of an entry service on to its launch, and refuses them on a command or malformed', () => {
    const state = parseDesiredState(
      "services:\n  a:\n    entry: x.ts\n    nodeFlags: ['--initial-old-space-size=128', --no-warnings]\n",
      'state.yaml',
    );
    expect(state.services[0].nodeFlags).toEqual(['--initial-old-space-size=128', '--no-warnings']);
    expect(launchOf(state, instancesOf(state)[0], 'state.yaml').nodeFlags).toEqual([
      '--initial-old-space-size=128',
      '--no-warnings',
    ]);
    expect(parseDesiredState('services:\n  a:\n    entry: x.ts\n', 's').services[0].nodeFlags).toEqual([]);
    expect(errorOf('services:\n  a:\n    command: [x]\n    nodeFlags: [--no-warnings]\n').message).toBe(
      'state.yaml:4: services.a.nodeFlags: only with entry: (a command names its own flags)',
    );
    expect(errorOf("services:\n  a:\n    entry: x.ts\n    nodeFlags: ['--a --b']\n").message).toBe(
      "state.yaml:4: services.a.nodeFlags: '--a --b' is not one node flag (--name or --name=value, no spaces)",
    );
    expect(errorOf('services:\n  a:\n    entry: x.ts\n    nodeFlags: [-x]\n').message).toContain(
      "'-x' is not one node flag",
    );
  });

  it('reads JSON too, since JSON is YAML, with the line of the problem', () => {
    const json =
      '{\n  "services": {\n    "a": {\n      "entry": "x.ts",\n      "restart": { "windowMs": -1 }\n    }\n  }\n}';
    expect(errorOf(json).message).toBe(
      'state.yaml:5: services.a.restart.windowMs must be an integer in [1, 86400000]',
    );
  });
});

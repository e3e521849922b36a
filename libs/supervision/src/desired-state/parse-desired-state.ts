import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { DesiredStateError } from '../errors/desired-state-error';
import {
  DEFAULT_RESTART_POLICY,
  LOCAL_AGENT,
  MAX_EXTRA_PORTS,
  PORTS_PER_INSTANCE,
  type DesiredState,
  type RestartPolicy,
  type ServiceSpec,
} from './desired-state';
import { instancesOf, launchOf, UnknownPlaceholderError } from './instance-layout';

/** Instances one desired state may hold: every one needs its own block of ports. */
export const MAX_INSTANCES = 1000;
const NAME = /^[a-z][a-z0-9-]*$/;

/** Reads nodes of one document, turning every problem into a DesiredStateError naming the line. */
class Reader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  fail(node: Node | null | undefined, problem: string): never {
    const offset = node?.range?.[0] ?? 0;
    throw new DesiredStateError(this.file, this.lines.linePos(offset).line, problem);
  }

  map(node: unknown, where: string, known: readonly string[]): YAMLMap<unknown, unknown> {
    if (!isMap(node)) this.fail(node as Node, `${where} must be a mapping`);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!known.includes(key))
        this.fail(pair.key as Node, `unknown key '${key}' in ${where}; known keys: ${known.join(', ')}`);
    }
    return node;
  }

  int(
    parent: YAMLMap<unknown, unknown>,
    key: string,
    where: string,
    fallback: number,
    min: number,
    max: number,
  ) {
    const node = parent.get(key, true) as Node | undefined;
    if (node === undefined) return fallback;
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(node, `${where}.${key} must be an integer in [${min}, ${max}]`);
    return v;
  }

  string(parent: YAMLMap<unknown, unknown>, key: string, where: string): string | undefined {
    const node = parent.get(key, true) as Node | undefined;
    if (node === undefined) return undefined;
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number'))
      this.fail(node, `${where}.${key} must be a string`);
    return String(node.value);
  }

  strings(parent: YAMLMap<unknown, unknown>, key: string, where: string): string[] | undefined {
    const node = parent.get(key, true) as Node | undefined;
    if (node === undefined) return undefined;
    if (!isSeq(node)) this.fail(node, `${where}.${key} must be a list of strings`);
    return node.items.map((item) => {
      if (!isScalar(item) || typeof item.value === 'object' || typeof item.value === 'boolean')
        this.fail(item as Node, `${where}.${key} must be a list of strings`);
      return String(item.value);
    });
  }

  dict(parent: YAMLMap<unknown, unknown>, key: string, where: string): Record<string, string> {
    const node = parent.get(key, true);
    if (node === undefined) return {};
    if (!isMap(node)) this.fail(node as Node, `${where}.${key} must be a mapping of names to strings`);
    const out: Record<string, string> = {};
    for (const pair of node.items) {
      const v = pair.value;
      if (!isScalar(pair.key) || !isScalar(v) || v.value === null || typeof v.value === 'object')
        this.fail((v ?? pair.key) as Node, `${where}.${key} must map names to strings or numbers`);
      out[String(pair.key.value)] = String(v.value);
    }
    return out;
  }
}

/** One flag for node: `--name` or `--name=value`, without white space. */
const NODE_FLAG = /^--[a-z][a-z0-9-]*(=\S+)?$/;

const TOP_KEYS = ['host', 'portBase', 'agents', 'vars', 'env', 'restart', 'services'];
const SERVICE_KEYS = [
  'instances',
  'entry',
  'command',
  'args',
  'nodeFlags',
  'env',
  'aliveGroup',
  'ports',
  'agent',
  'restart',
];
const RESTART_KEYS = [
  'maxRestarts',
  'windowMs',
  'backoffInitialMs',
  'backoffMaxMs',
  'joinTimeoutMs',
  'suspectGraceMs',
];

/**
 * Parses a desired state from YAML or JSON text (JSON is YAML). Every error names `file`, the line and what was
 * wrong; a template naming an unknown placeholder is refused here, not when an instance is first launched.
 */
export function parseDesiredState(text: string, file: string): DesiredState {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new DesiredStateError(file, lines.linePos(e.pos[0]).line, e.message.split('\n')[0]);
  }
  const r = new Reader(file, lines);
  const top = r.map(doc.contents, 'the desired state', TOP_KEYS);
  const defaults = restartPolicy(r, top, 'the desired state', DEFAULT_RESTART_POLICY);
  const servicesNode: unknown = top.get('services', true);
  if (servicesNode === undefined) r.fail(top, 'the desired state needs services:');
  if (!isMap(servicesNode)) r.fail(servicesNode as Node, 'services must be a mapping of service names');
  const services = servicesNode as YAMLMap<unknown, unknown>;
  const state: DesiredState = {
    host: r.string(top, 'host', 'the desired state') ?? '127.0.0.1',
    portBase: r.int(top, 'portBase', 'the desired state', 27_000, 1024, 65_000),
    agents: r.dict(top, 'agents', 'the desired state'),
    vars: r.dict(top, 'vars', 'the desired state'),
    env: r.dict(top, 'env', 'the desired state'),
    services: services.items.map((pair) => service(r, keyOf(pair), pair.key as Node, pair.value, defaults)),
  };
  checkLayout(r, state, services);
  return state;
}

function keyOf(pair: { key: unknown }): string {
  return isScalar(pair.key) ? String(pair.key.value) : '';
}

function service(
  r: Reader,
  name: string,
  keyNode: Node,
  node: unknown,
  defaults: RestartPolicy,
): ServiceSpec {
  if (!NAME.test(name)) r.fail(keyNode, `service name '${name}' must be lower-case letters, digits and '-'`);
  const where = `services.${name}`;
  const m = r.map(node, where, SERVICE_KEYS);
  const entry = r.string(m, 'entry', where);
  const command = r.strings(m, 'command', where);
  if ((entry === undefined) === (command === undefined))
    r.fail(m, `${where} needs exactly one of entry: (a TypeScript file) or command: (a command line)`);
  if (command !== undefined && command.length === 0) r.fail(m, `${where}.command must not be empty`);
  const nodeFlags = r.strings(m, 'nodeFlags', where) ?? [];
  if (nodeFlags.length > 0 && entry === undefined)
    r.fail(
      m.get('nodeFlags', true) as Node,
      `${where}.nodeFlags: only with entry: (a command names its own flags)`,
    );
  const badFlag = nodeFlags.find((f) => !NODE_FLAG.test(f));
  if (badFlag !== undefined)
    r.fail(
      m.get('nodeFlags', true) as Node,
      `${where}.nodeFlags: '${badFlag}' is not one node flag (--name or --name=value, no spaces)`,
    );
  const ports = r.strings(m, 'ports', where) ?? [];
  if (ports.length > MAX_EXTRA_PORTS)
    r.fail(m.get('ports', true) as Node, `${where}.ports: at most ${MAX_EXTRA_PORTS} named ports`);
  return {
    name,
    instances: r.int(m, 'instances', where, 1, 0, MAX_INSTANCES),
    entry,
    command,
    args: r.strings(m, 'args', where) ?? [],
    nodeFlags,
    env: r.dict(m, 'env', where),
    aliveGroup: aliveGroup(r.string(m, 'aliveGroup', where), name),
    ports,
    agent: r.string(m, 'agent', where) ?? LOCAL_AGENT,
    restart: restartPolicy(r, m, where, defaults),
  };
}

function aliveGroup(text: string | undefined, service: string): string | null {
  if (text === 'none') return null;
  return text ?? `service.${service}`;
}

function restartPolicy(
  r: Reader,
  parent: YAMLMap<unknown, unknown>,
  where: string,
  d: RestartPolicy,
): RestartPolicy {
  const node = parent.get('restart', true);
  if (node === undefined) return d;
  const at = `${where}.restart`;
  const m = r.map(node, at, RESTART_KEYS);
  const p: RestartPolicy = {
    maxRestarts: r.int(m, 'maxRestarts', at, d.maxRestarts, 0, 10_000),
    windowMs: r.int(m, 'windowMs', at, d.windowMs, 1, 86_400_000),
    backoffInitialMs: r.int(m, 'backoffInitialMs', at, d.backoffInitialMs, 0, 3_600_000),
    backoffMaxMs: r.int(m, 'backoffMaxMs', at, d.backoffMaxMs, 0, 3_600_000),
    joinTimeoutMs: r.int(m, 'joinTimeoutMs', at, d.joinTimeoutMs, 1, 3_600_000),
    suspectGraceMs: r.int(m, 'suspectGraceMs', at, d.suspectGraceMs, 0, 3_600_000),
  };
  if (p.backoffMaxMs < p.backoffInitialMs) r.fail(m, `${at}.backoffMaxMs must be at least backoffInitialMs`);
  return p;
}

/** Ports must fit, and every template must resolve for every instance. */
function checkLayout(r: Reader, state: DesiredState, services: YAMLMap<unknown, unknown>): void {
  const instances = instancesOf(state);
  if (instances.length > MAX_INSTANCES) r.fail(services, `at most ${MAX_INSTANCES} instances in all`);
  const last = state.portBase + instances.length * PORTS_PER_INSTANCE;
  if (last > 65_535)
    r.fail(
      services,
      `portBase ${state.portBase} leaves no room for ${instances.length} instances (ports up to ${last})`,
    );
  for (const instance of instances) {
    try {
      launchOf(state, instance, 'desired-state');
    } catch (error) {
      if (!(error instanceof UnknownPlaceholderError)) throw error;
      const node = services.get(instance.service.name, true) as Node;
      r.fail(
        scalarContaining(node, error.placeholder) ?? node,
        `services.${instance.service.name}: ${error.message}`,
      );
    }
  }
}

/** The first scalar under `node` whose text holds `needle`: the line a bad placeholder is on. */
function scalarContaining(node: unknown, needle: string): Node | undefined {
  if (isScalar(node)) return String(node.value).includes(needle) ? node : undefined;
  const items: unknown[] = isMap(node) ? node.items.map((p) => p.value) : isSeq(node) ? node.items : [];
  for (const item of items) {
    const found = scalarContaining(item, needle);
    if (found !== undefined) return found;
  }
  return undefined;
}

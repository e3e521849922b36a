import {
  LOCAL_AGENT,
  PORTS_PER_INSTANCE,
  SUPERVISOR_SERVICE,
  type DesiredState,
  type ServiceSpec,
} from './desired-state';

/** One instance of a service with its fixed addresses: kept across restarts, so views recognise it. */
export interface InstanceSpec {
  /** `<service>/<index>`, e.g. `estimator/2`. */
  readonly id: string;
  readonly service: ServiceSpec;
  readonly index: number;
  /** `host:vsyncPort`: the address its vsync process advertises. */
  readonly address: string;
  readonly vsyncPort: number;
  readonly httpPort: number;
  readonly ports: Readonly<Record<string, number>>;
}

/** How a host agent launches one instance: a command line and its environment, placeholders filled. */
export interface Launch {
  readonly command: readonly string[];
  /** The TypeScript entry, when the command runs one under tsx (the agent adds node and the loader). */
  readonly entry: string | undefined;
  /** Flags for node before the entry (ServiceSpec.nodeFlags); absent in orders from a supervisor without them. */
  readonly nodeFlags?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** A launch template named a placeholder that does not exist; `parseDesiredState` turns it into a line error. */
export class UnknownPlaceholderError extends Error {
  override readonly name = 'UnknownPlaceholderError';

  constructor(
    readonly placeholder: string,
    problem: string,
  ) {
    super(`${placeholder} ${problem}`);
  }
}

/** The host an agent's instances listen on and advertise. */
export function hostOf(state: DesiredState, agent: string): string {
  return state.agents[agent] ?? state.host;
}

/**
 * The seed agent: the one that runs the supervisors (the embedded cluster's only agent). It is never restarted by
 * them, so it is the first seed and founds the system; it listens on `portBase`.
 */
export function seedAgent(state: DesiredState): string {
  return state.services.find((s) => s.name === SUPERVISOR_SERVICE)?.agent ?? LOCAL_AGENT;
}

/** The seed agent's vsync address. */
export function agentAddress(state: DesiredState): string {
  return `${hostOf(state, seedAgent(state))}:${state.portBase}`;
}

/** Every instance in file order, each with its block of ports after the agent's. */
export function instancesOf(state: DesiredState): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  for (const service of state.services) {
    for (let index = 0; index < service.instances; index += 1) {
      const first = state.portBase + 1 + out.length * PORTS_PER_INSTANCE;
      const ports: Record<string, number> = {};
      service.ports.forEach((name, i) => (ports[name] = first + 2 + i));
      out.push({
        id: `${service.name}/${index}`,
        service,
        index,
        address: `${hostOf(state, service.agent)}:${first}`,
        vsyncPort: first,
        httpPort: first + 1,
        ports,
      });
    }
  }
  return out;
}

/** The vsync seeds of every process: the agent (never restarted, so it founds the system) then the supervisors. */
export function seedsOf(
  state: DesiredState,
  instances: readonly InstanceSpec[] = instancesOf(state),
): string[] {
  const supervisors = instances.filter((i) => i.service.name === SUPERVISOR_SERVICE).map((i) => i.address);
  return [agentAddress(state), ...supervisors];
}

/**
 * Fills an instance's launch template. Placeholders: `{host}`, `{vsyncPort}`, `{httpPort}`, `{vsyncAddress}`,
 * `{seeds}`, `{instance}`, `{index}`, `{portBase}`, `{desiredState}`, `{port.NAME}`, `{var.NAME}`, and any of these
 * of another instance as `{<service>/<index>.NAME}` (`.host`, `.httpPort`, `.vsyncAddress`, `.port.c37`, ...).
 */
export function launchOf(state: DesiredState, instance: InstanceSpec, desiredStatePath: string): Launch {
  const instances = instancesOf(state);
  const fill = (text: string): string =>
    text.replace(/\{([^{}\s]+)\}/g, (_, name: string) =>
      placeholder(state, instances, instance, desiredStatePath, name),
    );
  const s = instance.service;
  const command = [...(s.command ?? []), ...s.args].map(fill);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...state.env, ...s.env })) env[k] = fill(v);
  const entry = s.entry === undefined ? undefined : fill(s.entry);
  return { command, entry, nodeFlags: s.nodeFlags.map(fill), env };
}

function placeholder(
  state: DesiredState,
  instances: readonly InstanceSpec[],
  self: InstanceSpec,
  desiredStatePath: string,
  name: string,
): string {
  const slash = name.indexOf('/');
  if (slash > 0 && name.includes('.')) {
    const dot = name.indexOf('.', slash);
    const other = instances.find((i) => i.id === name.slice(0, dot));
    if (other === undefined) throw new UnknownPlaceholderError(`{${name}}`, 'names no instance');
    return ownValue(state, instances, other, desiredStatePath, name.slice(dot + 1), name);
  }
  return ownValue(state, instances, self, desiredStatePath, name, name);
}

function ownValue(
  state: DesiredState,
  instances: readonly InstanceSpec[],
  i: InstanceSpec,
  desiredStatePath: string,
  key: string,
  whole: string,
): string {
  if (key.startsWith('port.') && key.slice(5) in i.ports) return String(i.ports[key.slice(5)]);
  if (key.startsWith('var.') && key.slice(4) in state.vars) return state.vars[key.slice(4)];
  const simple: Record<string, string> = {
    host: hostOf(state, i.service.agent),
    vsyncPort: String(i.vsyncPort),
    httpPort: String(i.httpPort),
    vsyncAddress: i.address,
    seeds: seedsOf(state, instances).join(','),
    instance: i.id,
    index: String(i.index),
    portBase: String(state.portBase),
    desiredState: desiredStatePath,
  };
  if (Object.hasOwn(simple, key)) return simple[key];
  throw new UnknownPlaceholderError(`{${whole}}`, 'is not a known placeholder');
}

/**
 * What the cluster should be running: services, how many instances of each, how to launch one, and how hard to
 * try when one fails. Parsed and validated from YAML or JSON by `parseDesiredState`.
 */
export interface DesiredState {
  /** Where the instances listen unless their agent is named in `agents` (the embedded cluster: every one). */
  readonly host: string;
  /**
   * Host agent name -> the host its instances listen on and advertise (e.g. a container's hostname in compose,
   * where each container's entrypoint is a host agent). An agent not named here is at `host`.
   */
  readonly agents: Readonly<Record<string, string>>;
  /** The seed agent (the supervisors' own) listens on `portBase`; instance k (in file order) gets the block of `PORTS_PER_INSTANCE` after it. */
  readonly portBase: number;
  /** Values the launch templates refer to as `{var.NAME}` (e.g. the case file and the frame rate). */
  readonly vars: Readonly<Record<string, string>>;
  /** Environment given to every instance (before the service's own). */
  readonly env: Readonly<Record<string, string>>;
  readonly services: readonly ServiceSpec[];
}

export interface ServiceSpec {
  readonly name: string;
  readonly instances: number;
  /** A TypeScript entry run with node and tsx from the project root, or a command line (executable first). */
  readonly entry: string | undefined;
  readonly command: readonly string[] | undefined;
  /** Arguments after the entry or command; `{placeholder}`s are filled per instance (see instance-layout.ts). */
  readonly args: readonly string[];
  /**
   * Flags for node itself, before an `entry` (e.g. V8 heap settings such as `--initial-old-space-size=128`, which
   * NODE_OPTIONS does not accept); only with `entry`: a `command` names its own executable and flags.
   */
  readonly nodeFlags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /**
   * The group whose view shows an instance alive (default `service.<name>`); null (`aliveGroup: none`) for a
   * process that is no vsync member: it counts as alive while its host agent reports it running.
   */
  readonly aliveGroup: string | null;
  /** Extra ports an instance needs besides vsync and HTTP (e.g. pmu-sim's C37.118 listener), by name. */
  readonly ports: readonly string[];
  /** The host agent that runs this service's instances. */
  readonly agent: string;
  readonly restart: RestartPolicy;
}

/** How a failed instance is restarted. */
export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more failure gives the instance up (reported, not retried). */
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** The first restart in a window is immediate; the n-th waits backoffInitialMs * 2^(n-2), at most backoffMaxMs. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** An instance started and not in its alive group's view this long after the order is restarted. */
  readonly joinTimeoutMs: number;
  /**
   * An instance that leaves its alive group's view while its agent still reports the process running is waited
   * for this long before it is restarted: a falsely suspected process (a pause, a loaded machine) rejoins by itself
   * under a new incarnation. 0 restarts it at once. An exit reported meanwhile restarts it at once.
   */
  readonly suspectGraceMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 60_000,
  backoffInitialMs: 500,
  backoffMaxMs: 10_000,
  joinTimeoutMs: 30_000,
  suspectGraceMs: 5_000,
};

/** The agent of the embedded cluster, the one a service runs on unless it names another. */
export const LOCAL_AGENT = 'local';
/** The service whose instances (after the agent) are the vsync seeds of every process. */
export const SUPERVISOR_SERVICE = 'supervisor';
/** vsync, HTTP, and at most two named extra ports per instance. */
export const PORTS_PER_INSTANCE = 4;
export const MAX_EXTRA_PORTS = PORTS_PER_INSTANCE - 2;

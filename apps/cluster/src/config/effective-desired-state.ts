import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseDocument } from 'yaml';
import {
  agentAddress,
  DesiredStateError,
  instancesOf,
  parseDesiredState,
  type DesiredState,
} from '@gridcloud/supervision';
import { ClusterConfigError } from '../errors/cluster-config-error';
import type { ClusterOptions } from './cluster-options';

export interface EffectiveDesiredState {
  readonly state: DesiredState;
  /** The file the supervisors read: the desired state with this run's overrides, in the run directory. */
  readonly path: string;
}

/**
 * The desired state with the command line's overrides (vars, portBase) written into the file's own document, so
 * comments and line numbers of the rest stay as written; validated, and saved where the supervisors read it.
 */
export function effectiveDesiredState(
  options: ClusterOptions,
  runDir: string,
  /** Variables every instance gets on top of the file's own (e.g. where the run's vsync secret is). */
  env: Readonly<Record<string, string>> = {},
): EffectiveDesiredState {
  let text: string;
  try {
    text = fs.readFileSync(options.desiredStatePath, 'utf8');
  } catch (error) {
    throw new ClusterConfigError(
      `--desired-state: cannot read ${options.desiredStatePath}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  const doc = parseDocument(text);
  const vars: Record<string, string> = { runDir, truth: path.join(runDir, 'truth.jsonl'), ...options.vars };
  for (const [name, value] of Object.entries(vars)) {
    if (name === 'runDir' || name === 'truth' || doc.hasIn(['vars', name]) || name in options.vars)
      doc.setIn(['vars', name], value);
  }
  if (options.portBase !== undefined) doc.setIn(['portBase'], options.portBase);
  for (const [name, value] of Object.entries(env)) doc.setIn(['env', name], value);
  const out = path.join(runDir, 'desired-state.yaml');
  const effective = doc.errors.length === 0 ? doc.toString() : text;
  try {
    const state = parseDesiredState(effective, options.desiredStatePath);
    fs.writeFileSync(out, effective);
    return { state, path: out };
  } catch (error) {
    if (error instanceof DesiredStateError) throw new ClusterConfigError(error.message);
    throw error;
  }
}

/** Every port the layout gives out must be free now, or the cluster would fail later, one instance at a time. */
export async function checkPortsFree(state: DesiredState): Promise<void> {
  const ports = [state.portBase];
  for (const i of instancesOf(state)) ports.push(i.vsyncPort, i.httpPort, ...Object.values(i.ports));
  for (const port of ports) {
    if (!(await portFree(state.host, port)))
      throw new ClusterConfigError(
        `--port-base ${state.portBase}: port ${port} on ${state.host} is in use (the agent is at ${agentAddress(state)}); choose another --port-base`,
      );
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

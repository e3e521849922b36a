import type { VsyncProcessOptions } from '@gridcloud/vsync';
import { VsyncModuleOptionsError } from './errors/vsync-module-options-error';

/** What VsyncModule needs: the options of the app's one VsyncProcess, and the groups the app uses on it. */
export interface VsyncModuleOptions extends VsyncProcessOptions {
  /** Every group the app uses; each becomes one Group on the shared process, injectable with `@InjectGroup(name)`. */
  readonly groups: readonly string[];
  /** Groups joined when the application bootstraps, such as the liveness group `service.<name>` or a group the app
   *  only publishes to. Groups with `@EventPattern` handlers are joined by VsyncServer once its handlers are in
   *  place, so they must not be listed here. */
  readonly join?: readonly string[];
  /** How long bootstrap waits for the joins above before the start fails. */
  readonly joinTimeoutMs?: number;
}

/** The module's options once checked, with the process options split off. */
export interface ResolvedVsyncModuleOptions {
  readonly process: VsyncProcessOptions;
  readonly groups: readonly string[];
  readonly join: readonly string[];
  readonly joinTimeoutMs: number;
}

const MAX_GROUP_NAME_LENGTH = 255;
const DEFAULT_JOIN_TIMEOUT_MS = 30_000;
const MAX_JOIN_TIMEOUT_MS = 3_600_000;

/** Checks the module's own options; the process options are checked by VsyncProcess itself when it is created. */
export function resolveVsyncModuleOptions(options: VsyncModuleOptions): ResolvedVsyncModuleOptions {
  if (options === null || typeof options !== 'object')
    throw new VsyncModuleOptionsError('options', 'must be an object with at least `groups`');
  const { groups, join, joinTimeoutMs, ...process } = options;
  const names = checkGroups(groups);
  return {
    process,
    groups: names,
    join: checkJoin(join ?? [], names),
    joinTimeoutMs: checkJoinTimeout(joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS),
  };
}

function checkGroups(groups: unknown): readonly string[] {
  if (!Array.isArray(groups))
    throw new VsyncModuleOptionsError('groups', 'must be an array of group names, e.g. ["estimators"]');
  const seen = new Set<string>();
  groups.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_GROUP_NAME_LENGTH)
      throw new VsyncModuleOptionsError(
        `groups[${i}]`,
        `must be a group name of 1..${MAX_GROUP_NAME_LENGTH} characters, got ${JSON.stringify(name)}`,
      );
    // The server reads `group/message` patterns by the first slash, so a slash in a group name would be ambiguous.
    if (name.includes('/'))
      throw new VsyncModuleOptionsError(`groups[${i}]`, `'${name}' must not contain '/'`);
    if (seen.has(name)) throw new VsyncModuleOptionsError(`groups[${i}]`, `'${name}' is listed twice`);
    seen.add(name);
  });
  return [...seen];
}

function checkJoin(join: unknown, groups: readonly string[]): readonly string[] {
  if (!Array.isArray(join)) throw new VsyncModuleOptionsError('join', 'must be an array of group names');
  join.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || !groups.includes(name))
      throw new VsyncModuleOptionsError(
        `join[${i}]`,
        `${JSON.stringify(name)} is not one of groups (${groups.join(', ') || 'none'})`,
      );
  });
  return [...new Set(join as string[])];
}

function checkJoinTimeout(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_JOIN_TIMEOUT_MS)
    throw new VsyncModuleOptionsError(
      'joinTimeoutMs',
      `must be an integer number of milliseconds in 1..${MAX_JOIN_TIMEOUT_MS}, got ${String(ms)}`,
    );
  return ms;
}

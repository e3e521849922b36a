import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ClusterConfigError } from '../errors/cluster-config-error';

/** Random bytes of a vsync secret made for a cluster. */
export const VSYNC_SECRET_BYTES = 32;

/** What `ensureClusterSecret` did. */
export interface ClusterSecret {
  readonly file: string;
  /** false: the file already held a secret, which is kept (the cluster keeps one secret across restarts). */
  readonly created: boolean;
}

/**
 * Makes the cluster's vsync secret file unless it already holds one: `given` (e.g. GRIDCLOUD_VSYNC_SECRET) when set,
 * otherwise random bytes, base64, readable by this user only. Created exclusively, so two makers racing on one file
 * cannot both write it. Every instance of the cluster reads this file and keys its vsync links with it.
 */
export function ensureClusterSecret(file: string, given?: string): ClusterSecret {
  const existing = readIfPresent(file);
  if (existing !== undefined && existing.trim().length > 0) return { file, created: false };
  const secret =
    given !== undefined && given.trim().length > 0
      ? given.trim()
      : randomBytes(VSYNC_SECRET_BYTES).toString('base64');
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600, flag: existing === undefined ? 'wx' : 'w' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { file, created: false };
    throw new ClusterConfigError(`vsync secret: cannot write ${file}: ${code ?? (error as Error).message}`);
  }
  return { file, created: true };
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ClusterConfigError(`vsync secret: cannot read ${file}: ${code ?? (error as Error).message}`);
  }
}

/**
 * Makes a cluster's vsync secret file once (docker-compose.yml's `vsync-secret` service, before any agent starts):
 *
 *     tsx apps/cluster/src/secret-main.ts FILE
 *
 * Keeps a secret the file already holds; otherwise writes GRIDCLOUD_VSYNC_SECRET when set, or 32 random bytes.
 * stdout: one JSON line `{"event":"secret","file":..,"created":..}` (never the secret); exit 2 with one line on
 * stderr when the file cannot be written.
 */
import { ClusterConfigError } from './errors/cluster-config-error';
import { ensureClusterSecret } from './runtime/cluster-secret';

const USAGE = 'usage: tsx apps/cluster/src/secret-main.ts FILE';

function main(): void {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0].startsWith('-')) throw new ClusterConfigError(`${USAGE} (one file path)`);
  const made = ensureClusterSecret(args[0], process.env.GRIDCLOUD_VSYNC_SECRET);
  process.stdout.write(`${JSON.stringify({ event: 'secret', file: made.file, created: made.created })}\n`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof ClusterConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}

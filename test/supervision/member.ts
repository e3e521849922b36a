/**
 * A trivial cluster member for supervisor tests: a vsync process in its liveness group (`--group`, default
 * `service.member`) at a fixed address. `--exit-code 2` makes it refuse its configuration at start, like an app
 * given a bad flag.
 */
import fs from 'node:fs';
import { Group } from '@gridcloud/vsync';

const secretFile = process.env.GRIDCLOUD_VSYNC_SECRET_FILE;
// Mutual TLS as every app reads it (clusterSettings' variables): a host agent started with --vsync-tls-* sets them.
const tlsEnv = ['CERT', 'KEY', 'CA'].map((part) => process.env[`GRIDCLOUD_VSYNC_TLS_${part}`]);
const tls = tlsEnv.every((file) => file !== undefined)
  ? { certFile: tlsEnv[0]!, keyFile: tlsEnv[1]!, caFile: tlsEnv[2]! }
  : undefined;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  if (flag('exit-code') !== undefined) {
    process.stderr.write('member: --exit-code given: refusing to start (a configuration error)\n');
    process.exit(Number(flag('exit-code')));
  }
  const group = new Group(flag('group') ?? 'service.member', {
    bindPort: Number(flag('vsync-port') ?? 0),
    seeds: (flag('vsync-seeds') ?? '').split(',').filter((s) => s.length > 0),
    founder: false,
    // The cluster keys every link with its secret (npm start hands each instance GRIDCLOUD_VSYNC_SECRET_FILE).
    secret: secretFile === undefined ? undefined : fs.readFileSync(secretFile, 'utf8').trim(),
    tls,
    core: { failureTimeoutMs: 1500, heartbeatIntervalMs: 150 },
  });
  group.onError((error) => process.stderr.write(`member: ${error.message}\n`));
  await group.join();
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', address: group.process.self.address, pid: process.pid, tls: tls !== undefined })}\n`,
  );
  const stop = (): void => void group.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`member: ${(error as Error).message}\n`);
  process.exit(1);
});

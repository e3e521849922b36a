/**
 * TLS through the supervision chain: `npm start --vsync-tls-cert/-key/-ca` with certificates from a CA made for the
 * test (openssl). The host agent's links use mutual TLS and it hands the three files to every instance it starts
 * (GRIDCLOUD_VSYNC_TLS_*), the supervisors included. A SIGKILLed member is restarted by the acting supervisor and
 * rejoins the system, whose links are TLS only: a process on plain TCP given the same seed never gets in.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { makeTestCa } from './support/tls-certs';
import { isSpawned, killAndAwaitRestart, linesOf, startCluster } from './supervision/cluster-run';

const DESIRED_STATE = 'test/supervision/tls-desired-state.yaml';
const MEMBER_ENTRY = 'test/supervision/member.ts';
/** How long a plain-TCP process gets to join a TLS-only system (it never should). */
const PLAIN_JOIN_WAIT_MS = 8_000;

const started: LocalProcess[] = [];
afterAll(() => {
  for (const p of started) p.kill();
});

/** The instance's environment as its OS process has it (Linux /proc). */
function environOf(pid: number): Record<string, string> {
  const pairs = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

describe('TLS through npm start, the host agent and the supervisors', () => {
  it('restarts a SIGKILLed member with TLS on, in a system plain TCP cannot join', async () => {
    const ca = makeTestCa('cluster');
    const node = ca.issue('node');
    const tlsFlags = [
      '--vsync-tls-cert',
      node.certFile,
      '--vsync-tls-key',
      node.keyFile,
      '--vsync-tls-ca',
      ca.caFile,
    ];
    const cluster = await startCluster(['--desired-state', DESIRED_STATE, ...tlsFlags]);
    started.push(cluster);
    const text = (): string => `${cluster.lines.map((l) => JSON.stringify(l)).join('\n')}\n${cluster.stderr}`;
    await cluster.waitFor((l) => l.event === 'role' && l.acting === true, 'an acting supervisor', 90_000);
    await cluster.waitFor(
      (l) => l.event === 'instance-ready' && l.instance === 'member/0',
      'member/0 ready',
      90_000,
    );
    const first = linesOf(cluster, isSpawned('member/0')).at(-1)!.pid as number;
    const supervisor = linesOf(cluster, isSpawned('supervisor/0')).at(-1)!.pid as number;
    for (const pid of [first, supervisor])
      expect(environOf(pid)).toMatchObject({
        GRIDCLOUD_VSYNC_TLS_CERT: node.certFile,
        GRIDCLOUD_VSYNC_TLS_KEY: node.keyFile,
        GRIDCLOUD_VSYNC_TLS_CA: ca.caFile,
      });

    const { event: restarted, pid: second } = await killAndAwaitRestart(cluster, 'member/0');
    expect(restarted.reason, text()).toBe('exited (signal SIGKILL)');
    expect(restarted.rejoinMs as number).toBeGreaterThan(0);
    expect(second).not.toBe(first);
    expect(environOf(second).GRIDCLOUD_VSYNC_TLS_CA).toBe(ca.caFile);

    // The same seed on plain TCP: the agent's TLS listener never lets it in.
    const seed = (
      cluster.lines.find((l) => l.event === 'log' && /agent at /.test(String(l.text)))?.text as string
    ).match(/agent at (\S+);/)![1];
    const plain = LocalProcess.tsx(MEMBER_ENTRY, ['--vsync-seeds', seed, '--group', 'service.intruder']);
    started.push(plain);
    const joined = await plain
      .waitFor((l) => l.event === 'ready', 'plain member ready', PLAIN_JOIN_WAIT_MS)
      .then(() => true)
      .catch(() => false);
    expect(joined).toBe(false);
  });
});

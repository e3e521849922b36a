import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { CLUSTER_ENTRY, INGEST_ENTRY, PMU_SIM_ENTRY, SUPERVISOR_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';

/**
 * What a new user sees when a flag points at something unusable: the
 * process exits 2 at once with one line on stderr naming the flag and what
 * was wrong, no stack trace, and nothing started before it.
 */
const CASE14 = casePath('case14');

async function run(
  entry: string,
  args: readonly string[],
): Promise<{ code: number | null; stderr: string; stdout: number }> {
  const p = LocalProcess.tsx(entry, args);
  const code = await new Promise<number | null>((resolve) => p.child.on('exit', resolve));
  // Let the last stderr chunk arrive.
  await new Promise((r) => setTimeout(r, 50));
  return { code, stderr: p.stderr.trim(), stdout: p.lines.length };
}

function expectOneLine(stderr: string, message: RegExp): void {
  expect(stderr.split('\n'), stderr).toHaveLength(1);
  expect(stderr).toMatch(message);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('start-up errors (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-'));
  const busyTcp = net.createServer();
  const busyUdp = dgram.createSocket('udp4');
  let tcpPort = 0;
  let udpPort = 0;

  beforeAll(async () => {
    await new Promise<void>((r) => busyTcp.listen(0, '127.0.0.1', r));
    tcpPort = (busyTcp.address() as net.AddressInfo).port;
    await new Promise<void>((r) => busyUdp.bind(0, '127.0.0.1', r));
    udpPort = busyUdp.address().port;
  });

  afterAll(async () => {
    busyUdp.close();
    await new Promise((r) => busyTcp.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pmu-sim on a busy --tcp port: one line naming the address, exit 2', async () => {
    const r = await run(PMU_SIM_ENTRY, ['--case', CASE14, '--tcp', `127.0.0.1:${tcpPort}`]);
    expect(r.code).toBe(2);
    expectOneLine(
      r.stderr,
      new RegExp(`--tcp 127\\.0\\.0\\.1:${tcpPort} cannot be bound: the address is already in use`),
    );
    expect(r.stdout).toBe(0);
  });

  it('pmu-sim with a --case path that does not exist: one line, exit 2, before anything starts', async () => {
    const truth = path.join(dir, 'truth.jsonl');
    const r = await run(PMU_SIM_ENTRY, [
      '--case',
      path.join(dir, 'missing.m'),
      '--tcp',
      '127.0.0.1:0',
      '--truth',
      truth,
    ]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /--case .*missing\.m cannot be read \(no such file\)/);
    expect(r.stdout).toBe(0);
    expect(fs.existsSync(truth), 'no output file was opened').toBe(false);
  });

  it('ingest on a busy --udp port: one line naming the address, exit 2', async () => {
    const r = await run(INGEST_ENTRY, ['--udp', `127.0.0.1:${udpPort}`]);
    expect(r.code).toBe(2);
    expectOneLine(
      r.stderr,
      new RegExp(`--udp 127\\.0\\.0\\.1:${udpPort} cannot be bound: the address is already in use`),
    );
  });

  it('supervisor, host agent and npm start given only part of the TLS files: one line naming the missing flag, exit 2', async () => {
    const pem = path.join(dir, 'partial.pem');
    fs.writeFileSync(pem, 'not used: the set is refused before any file is read as PEM\n');
    const state = ['--desired-state', 'test/supervision/desired-state.yaml'];
    const runs = [
      { entry: SUPERVISOR_ENTRY, args: [...state, '--vsync-tls-cert', pem], missing: '--vsync-tls-key' },
      {
        entry: 'apps/cluster/src/agent-main.ts',
        args: [...state, '--agent', 'local', '--vsync-tls-ca', pem],
        missing: '--vsync-tls-cert',
      },
      { entry: CLUSTER_ENTRY, args: ['--vsync-tls-key', pem], missing: '--vsync-tls-cert' },
    ];
    for (const { entry, args, missing } of runs) {
      const r = await run(entry, args);
      expect(r.code, entry).toBe(2);
      expectOneLine(r.stderr, new RegExp(`${missing}: missing; mutual TLS needs`));
    }
  });

  it('dashboard with an unknown --vsync-results: one line naming it, exit 2', async () => {
    const r = await run('apps/dashboard/src/main.ts', ['--case', CASE14, '--vsync-results', 'both']);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /--vsync-results must be one of client, member/);
  });
});

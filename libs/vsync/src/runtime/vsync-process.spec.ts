import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport } from '../transport';
import { Group } from './group';
import { PayloadTooLargeError } from './errors/payload-too-large-error';
import { ProcessClosedError } from './errors/process-closed-error';
import { VsyncProcess } from './vsync-process';

const processes: VsyncProcess[] = [];
const transports: TcpTransport[] = [];

function vsyncProcess(options: ConstructorParameters<typeof VsyncProcess>[0] = {}): VsyncProcess {
  const p = new VsyncProcess(options);
  processes.push(p);
  return p;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.shutdown()));
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

describe('VsyncProcess', () => {
  it('binds its transport on start and identifies itself by advertised address and incarnation', async () => {
    const p = vsyncProcess({ incarnation: 42 });
    await p.start();
    expect(p.self.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(p.self.incarnation).toBe(42);
    expect(p.stats().incarnation).toBe(42);
  });

  it('counts and drops messages that do not decode, and keeps running', async () => {
    const p = vsyncProcess();
    await p.start();
    const peer = new TcpTransport({}, () => undefined);
    transports.push(peer);
    await peer.start();
    peer.send(p.self.address, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    peer.send(p.self.address, new Uint8Array([]));
    await until(() => p.stats().decodeFailures === 2);
    expect(p.stats().transport.messagesReceived).toBe(2);
    expect(p.stats().transport.connectionsClosed).toBe(0);
  });

  it('rejects a payload above maxPayloadBytes before it reaches the core', async () => {
    const p = vsyncProcess({ transport: { maxFrameBytes: 16 * 1024 } });
    await expect(p.multicast('g', 'fifo', new Uint8Array(16 * 1024))).rejects.toThrow(PayloadTooLargeError);
  });

  it('runs a one-member system: two groups on one process join, multicast and deliver in order', async () => {
    const p = vsyncProcess();
    const seen: string[] = [];
    const alpha = new Group('alpha', { process: p }).handle(1, (v: string) => seen.push(`alpha:${v}`));
    const beta = new Group('beta', { process: p }).handle(1, (v: string) => seen.push(`beta:${v}`));
    await alpha.join();
    await beta.join();
    expect(alpha.view?.members).toEqual([p.self]);
    expect(beta.view?.rankOf(p.self)).toBe(0);
    await alpha.send(1, 'a0');
    await beta.orderedSend(1, 'b0');
    await alpha.orderedSend(1, 'a1');
    await until(() => seen.length === 3);
    expect(seen.filter((s) => s.startsWith('alpha'))).toEqual(['alpha:a0', 'alpha:a1']);
    expect(seen).toContain('beta:b0');
    expect(p.stats().deliveries).toBe(3);
  });

  it('keeps FIFO order for sends issued while another request (a join) is in progress', async () => {
    const p = vsyncProcess();
    const g = new Group('early', { process: p });
    const got: number[] = [];
    g.handle(1, (i: number) => void got.push(i));
    await g.join();
    // A second group joins (its join starts the next request) while sends on the first are issued at once:
    // the sends must reach the core in the order they were made, whichever path each one takes.
    const late = new Group('late', { process: p });
    const joinLate = late.join();
    const sends = Array.from({ length: 20 }, (_, i) => g.send(1, i));
    await Promise.all([joinLate, ...sends]);
    await until(() => got.length === 20);
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('refuses a send issued before join() completed, saying to await join()', async () => {
    const p = vsyncProcess();
    const g = new Group('starting', { process: p });
    g.handle(1, () => {});
    const joined = g.join();
    const early = g.send(1, 'too soon');
    await expect(early).rejects.toThrow(/not a member of group "starting"; await join\(\) first/);
    await joined;
    await expect(g.send(1, 'in time')).resolves.toBeUndefined();
  });

  it('rejects requests after shutdown with what to do', async () => {
    const p = vsyncProcess();
    await p.start();
    await p.shutdown();
    await expect(p.join('g')).rejects.toThrow(ProcessClosedError);
    await expect(p.join('g')).rejects.toThrow(/create a new VsyncProcess/);
  });
});

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

  it('counts and drops a message that does not decode, closes the connection it came on, and keeps running', async () => {
    const p = vsyncProcess();
    await p.start();
    const peer = new TcpTransport({}, () => undefined);
    transports.push(peer);
    await peer.start();
    peer.send(p.self.address, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    await until(() => p.stats().transport.rejectedFrames.undecodableMessage === 1);
    expect(p.stats().decodeFailures).toBe(1);
    await until(() => peer.stats().connectionsClosed >= 1);
    // The peer reconnects for its next message, which fails the same way: the process itself is unharmed.
    peer.send(p.self.address, new Uint8Array([]));
    await until(() => p.stats().decodeFailures === 2);
    await p.join('still-works');
    expect(p.stats().transport.rejectedFrames.undecodableMessage).toBe(2);
  });

  it("hands a process-level error to every group's onError, also when no process listener is registered", async () => {
    const p = vsyncProcess();
    const seen: string[] = [];
    const g = new Group('errors-reach-groups', { process: p }).onError((e) => seen.push(e.message));
    await g.join();
    p.onSystemView(() => {
      throw new Error('a system view observer broke');
    });
    // Joining another group installs a new system view: the broken observer's error goes to the group.
    await p.join('another');
    await until(() => seen.length > 0);
    expect(seen).toEqual(['a system view observer broke']);
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

  it('packs the multicasts issued in one turn into one data message per member, keeping order across groups', async () => {
    const a = vsyncProcess();
    await a.start();
    const b = vsyncProcess({ seeds: [a.self.address] });
    const got: string[] = [];
    const groups = (p: VsyncProcess) =>
      ['x', 'y'].map((name) =>
        new Group(name, { process: p }).handle(1, (v: string) => void (p === b && got.push(v))),
      );
    const [ax, ay] = groups(a);
    const [bx, by] = groups(b);
    for (const g of [ax, ay, bx, by]) await g.join();
    await until(() => ax.view?.members.length === 2 && ay.view?.members.length === 2);
    const sentBefore = a.stats().transport.messagesSent;
    // Ten to x, then two to y, then ten to x again: three packs (a batch ends where the group changes).
    const sends = [
      ...Array.from({ length: 10 }, (_, i) => ax.orderedSend(1, `x${i}`)),
      ay.send(1, 'y0'),
      ay.send(1, 'y1'),
      ...Array.from({ length: 10 }, (_, i) => ax.orderedSend(1, `x${10 + i}`)),
    ];
    await Promise.all(sends);
    await until(() => got.length === 22);
    expect(got.filter((v) => v.startsWith('x'))).toEqual(Array.from({ length: 20 }, (_, i) => `x${i}`));
    expect(got.filter((v) => v.startsWith('y'))).toEqual(['y0', 'y1']);
    // Three data messages to b, plus at most a few acknowledgements and heartbeats in the meantime.
    expect(a.stats().transport.messagesSent - sentBefore).toBeLessThan(10);
    expect(b.stats().deliveries).toBeGreaterThanOrEqual(22);
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

  it("reports system views to observers, with every group's members (also of groups it has not joined)", async () => {
    const seed = vsyncProcess();
    await seed.start();
    const other = vsyncProcess({ seeds: [seed.self.address] });
    const seen: { id: number; groups: Record<string, number> }[] = [];
    seed.onSystemView((v) =>
      seen.push({ id: v.id, groups: Object.fromEntries(v.groups.map((g) => [g.name, g.members.length])) }),
    );
    await seed.join('watched-by-seed');
    await other.join('only-other');
    await until(() => seed.systemView?.groups.some((g) => g.name === 'only-other') === true);
    const last = seed.systemView!;
    expect(last.members).toHaveLength(2);
    expect(last.groups.find((g) => g.name === 'only-other')!.members).toEqual([other.self]);
    expect(seen.map((v) => v.id)).toEqual([...new Set(seen.map((v) => v.id))].sort((a, b) => a - b));
    expect(seen.at(-1)!.groups).toEqual({ 'watched-by-seed': 1, 'only-other': 1 });
  });

  it('settles sends that fit the window at once and queues the rest, delivering all in FIFO order everywhere', async () => {
    const core = { sendWindowMessages: 8, ackThresholdMessages: 2 };
    const a = vsyncProcess({ core });
    await a.start();
    const b = vsyncProcess({ core, seeds: [a.self.address] });
    const seen = new Map<string, number[]>([
      ['a', []],
      ['b', []],
    ]);
    const ga = new Group('window', { process: a }).handle(1, (n: number) => seen.get('a')!.push(n));
    const gb = new Group('window', { process: b }).handle(1, (n: number) => seen.get('b')!.push(n));
    await ga.join();
    await gb.join();
    await until(() => ga.view?.members.length === 2 && gb.view?.members.length === 2);
    // One turn: the first 8 fill the window and are settled at once, the other 22 wait for acknowledgements.
    let settled = 0;
    const sends = Array.from({ length: 30 }, (_, n) => ga.send(1, n).then(() => (settled += 1)));
    await Promise.resolve();
    expect(settled).toBe(8);
    await Promise.all(sends);
    const all = Array.from({ length: 30 }, (_, n) => n);
    await until(() => seen.get('a')!.length === 30 && seen.get('b')!.length === 30);
    expect(seen.get('a')).toEqual(all);
    expect(seen.get('b')).toEqual(all);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY } from './support/app-entries';
import { startPmuSimTcp } from './support/pmu-sim-tcp';

interface Delivered {
  sender: string;
  slot: number;
}

describe('ingest as a GroupClient of the estimator group (--vsync-publish client, real processes)', () => {
  const procs: LocalProcess[] = [];
  afterAll(() => {
    for (const p of procs) p.kill();
  });

  it('keeps publishing through another member after its representative is SIGKILLed, no snapshot doubled', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = LocalProcess.tsx('test/ingest/estimator-listener.ts', [String(portA)]);
    procs.push(a);
    await a.waitFor((l) => l.event === 'ready', 'first member ready');
    const b = LocalProcess.tsx('test/ingest/estimator-listener.ts', [String(portB), String(portA)]);
    procs.push(b);
    await b.waitFor((l) => l.event === 'ready', 'second member ready');

    const { sim, targets } = await startPmuSimTcp('case14', 30);
    procs.push(sim);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...targets,
      '--fps',
      '30',
      '--vsync-seeds',
      `127.0.0.1:${portA},127.0.0.1:${portB}`,
      '--vsync-publish',
      'client',
      '--duration-s',
      '12',
    ]);
    procs.push(ingest);

    // The representative is the sender of what the members deliver; kill it once 30 snapshots went through it.
    const first = (await a.waitFor(
      (l) => l.event === 'delivered',
      'a first snapshot',
    )) as unknown as Delivered;
    const [rep, survivor, survivorPort] = first.sender.endsWith(`:${portA}`) ? [a, b, portB] : [b, a, portA];
    await survivor.waitFor(
      () => survivor.lines.filter((l) => l.event === 'delivered').length >= 30,
      '30 snapshots through the representative',
    );
    rep.kill();

    const report = (await ingest.waitFor((l) => l.event === 'stopped', 'ingest report')) as {
      vsync: { sent: number; dropped: number; sendErrors: number };
    };
    await survivor.waitFor(
      () => survivor.lines.filter((l) => l.event === 'delivered').length >= report.vsync.sent,
      'every answered snapshot delivered',
    );
    const delivered = survivor.lines.filter((l) => l.event === 'delivered') as unknown as Delivered[];
    const slots = delivered.map((d) => d.slot);
    const senders = new Set(delivered.map((d) => d.sender));
    expect(report.vsync.sendErrors).toBe(0);
    expect(senders.size, 'the deliveries came through two representatives').toBe(2);
    expect(new Set(slots).size, 'no snapshot doubled').toBe(slots.length);
    expect(slots, 'FIFO across the failover').toEqual([...slots].sort((x, y) => x - y));
    expect(delivered.length, 'none lost').toBe(report.vsync.sent);
    const afterKill = delivered.filter((d) => d.sender.endsWith(`:${survivorPort}`));
    expect(afterKill.length, 'estimates continue after the kill').toBeGreaterThan(30);
  });
});

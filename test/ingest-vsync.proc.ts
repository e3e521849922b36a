import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import { casePath } from './support/data-files';

describe('ingest publishes aligned snapshots to the estimator group (libs/vsync, real processes)', () => {
  const procs: LocalProcess[] = [];
  afterAll(() => {
    for (const p of procs) p.kill();
  });

  it('delivers every snapshot ingest sent, complete and in time order, to a group member', async () => {
    const port = await freePort();
    const listener = LocalProcess.tsx('test/ingest/estimator-listener.ts', [String(port)]);
    procs.push(listener);
    await listener.waitFor((l) => l.event === 'ready', 'group member ready');

    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      casePath('case14'),
      '--tcp',
      '127.0.0.1:0',
      '--fps',
      '30',
    ]);
    procs.push(sim);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const targets = ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...targets,
      '--fps',
      '30',
      '--vsync-seeds',
      `127.0.0.1:${port}`,
      '--duration-s',
      '4',
    ]);
    procs.push(ingest);
    const report = (await ingest.waitFor((l) => l.event === 'stopped', 'ingest report')) as {
      vsync: { sent: number; dropped: number; sendErrors: number };
    };
    // Let the last deliveries land before reading the member's log.
    await listener.waitFor((l) => l.event === 'view' && l.members === 1, 'the group view after ingest left');

    const delivered = listener.lines.filter((l) => l.event === 'delivered') as unknown as {
      slot: number;
      complete: boolean;
      catalogVersion: number;
      pmus: number[];
      channels: number[];
    }[];
    const catalogs = listener.lines.filter((l) => l.event === 'catalog') as unknown as {
      version: number;
      pmus: { idcode: number; channels: string[] }[];
    }[];
    expect(report.vsync.sendErrors).toBe(0);
    expect(report.vsync.dropped).toBe(0);
    expect(report.vsync.sent).toBeGreaterThan(30);
    expect(delivered).toHaveLength(report.vsync.sent);
    const idcodes = ready.streams.map((s) => s.idcode).sort((a, b) => a - b);
    const slots = delivered.map((d) => d.slot);
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
    expect(new Set(slots).size).toBe(slots.length);
    const complete = delivered.filter((d) => d.complete);
    expect(complete.length).toBeGreaterThan(delivered.length * 0.8);
    for (const d of complete) expect([...d.pmus].sort((a, b) => a - b)).toEqual(idcodes);
    // The PMU catalog came first (FIFO from ingest) and names every PMU's channels as the snapshots carry them.
    const firstCatalog = listener.lines.findIndex((l) => l.event === 'catalog');
    expect(firstCatalog, `no catalog; listener stderr: ${listener.stderr}`).toBeGreaterThanOrEqual(0);
    expect(firstCatalog).toBeLessThan(listener.lines.findIndex((l) => l.event === 'delivered'));
    const catalog = catalogs.at(-1)!;
    expect(catalog.pmus.map((p) => p.idcode)).toEqual(idcodes);
    expect(catalog.pmus[0].channels[0]).toMatch(/^V\d+$/);
    for (const d of complete) {
      expect(d.catalogVersion).toBe(catalog.version);
      d.pmus.forEach((id, p) =>
        expect(d.channels[p]).toBe(catalog.pmus.find((c) => c.idcode === id)!.channels.length),
      );
    }
  });
});

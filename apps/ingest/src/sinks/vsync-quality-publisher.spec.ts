import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { DataQualityStats } from '@gridcloud/pdc';
import { Group } from '@gridcloud/vsync';
import { QUALITY_GROUP, type QualityReportPart } from './quality-report-parts';
import { QUALITY_REPORT_HANDLER, VsyncQualityPublisher } from './vsync-quality-publisher';

describe('VsyncQualityPublisher (real vsync groups on loopback)', () => {
  const closing: Group[] = [];
  afterEach(async () => {
    for (const g of closing.reverse()) await g.close();
    closing.length = 0;
  });

  it('delivers a report of 3000 PMUs to another member as parts that list every PMU once', async () => {
    const port = await freePort();
    const reader = new Group(QUALITY_GROUP, { bindPort: port, seeds: [`127.0.0.1:${port}`], founder: true });
    closing.push(reader);
    const parts: QualityReportPart[] = [];
    reader.handle(QUALITY_REPORT_HANDLER, (p: QualityReportPart) => void parts.push(p));
    await reader.join();

    const ingest = new Group(QUALITY_GROUP, { seeds: [`127.0.0.1:${port}`], founder: false });
    closing.push(ingest);
    // A sender is a member too and gets its own reports back; in the app they count as unserved deliveries.
    ingest.handle(QUALITY_REPORT_HANDLER, () => undefined);
    const stats = new DataQualityStats({ maxPmus: 4096 });
    for (let id = 1; id <= 3000; id += 1) stats.recordFrame(id, 15, 0, id === 42 ? 1 << 13 : 0, 1_000 + id);
    const publisher = new VsyncQualityPublisher(
      ingest,
      { report: () => stats.report(), sourceOf: (id) => `tcp ${id}@127.0.0.1:4712` },
      'ingest-test',
      1000,
    );
    await publisher.start();
    publisher.publish(5_000);
    await publisher.stop();

    const deadline = Date.now() + 20_000;
    while ((parts.length === 0 || parts.length < parts[0].parts) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i));
    const rows = parts.flatMap((p) => p.pmus);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(rows[41]).toEqual([
      42,
      rows[41][1],
      rows[41][2],
      1,
      0,
      0,
      0,
      0,
      1,
      0,
      1_042,
      'tcp 42@127.0.0.1:4712',
    ]);
    expect(publisher.counters).toMatchObject({ reports: 1, partsSent: parts.length, sendErrors: 0 });
  }, 60_000);
});

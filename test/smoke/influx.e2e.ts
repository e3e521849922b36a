import { randomUUID } from 'node:crypto';
import { InfluxDB } from 'influx';
import { expect, it } from 'vitest';
import { describeWithServices, services } from '../support/services';

describeWithServices('InfluxDB smoke', ['influx'], () => {
  it('writes points and reads them back with InfluxQL', async () => {
    const influx = new InfluxDB({
      host: services.influx.host,
      port: services.influx.port,
      database: services.influx.database,
    });
    const measurement = `smoke_${randomUUID().replaceAll('-', '')}`;
    const base = Date.UTC(2026, 0, 1);
    const points = [0, 1, 2].map((i) => ({
      measurement,
      tags: { pmu: `PMU${i % 2}` },
      fields: { vm: 1 + i / 100, va_deg: -10 * (i + 1) },
      timestamp: new Date(base + i * 33),
    }));
    await influx.writePoints(points, { precision: 'ms' });

    const rows = await influx.query<{ time: Date; pmu: string; vm: number; va_deg: number }>(
      `SELECT vm, va_deg, pmu FROM ${measurement} ORDER BY time ASC`,
    );
    expect(rows.map((r) => ({ t: r.time.getTime(), pmu: r.pmu, vm: r.vm, va: r.va_deg }))).toEqual(
      points.map((p) => ({
        t: p.timestamp.getTime(),
        pmu: p.tags.pmu,
        vm: p.fields.vm,
        va: p.fields.va_deg,
      })),
    );

    const grouped = await influx.query<{ pmu: string; n: number }>(
      `SELECT count(vm) AS n FROM ${measurement} GROUP BY pmu`,
    );
    expect(Object.fromEntries(grouped.map((r) => [r.pmu, r.n]))).toEqual({ PMU0: 2, PMU1: 1 });
  });
});

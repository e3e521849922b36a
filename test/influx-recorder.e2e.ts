import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { InfluxDB } from 'influx';
import { afterAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { freePort } from '@gridcloud/command-line';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { CLUSTER_EVENT_MESSAGE, CLUSTER_EVENTS_GROUP, type ClusterEvent } from '@gridcloud/supervision';
import { Group } from '@gridcloud/vsync';
import { CONTINUOUS_QUERIES } from '../apps/recorder/src/influx/influx-schema';
import { RecorderPipeline, type RecorderStatsLine } from '../apps/recorder/src/testing/recorder-pipeline';
import { TcpGate } from '../apps/recorder/src/testing/tcp-gate';
import { describeWithServices, services } from './support/services';
import { casePath } from './support/data-files';

/**
 * A real cluster on loopback (pmu-sim -> ingest -> two estimators -> results) with the recorder writing to the
 * real InfluxDB through a relay the test shuts for a while: InfluxDB "goes down" and comes back. Then every query of
 * every Grafana panel in dashboards/ runs against what the recorder wrote.
 */
const CASE14 = casePath('case14');
const BUSES = 14;

interface Target {
  refId: string;
  query: string;
  datasource?: { uid?: string };
}
interface Panel {
  title: string;
  datasource?: { uid?: string };
  targets: Target[];
}

describeWithServices(
  'recorder -> InfluxDB (batched, retried through an outage) and the Grafana dashboards',
  ['influx'],
  () => {
    const database = `gridcloud_e2e_${randomUUID().slice(0, 8)}`;
    const influx = new InfluxDB({ host: services.influx.host, port: services.influx.port, database });
    let gate: TcpGate | undefined;
    let pipeline: RecorderPipeline | undefined;
    let events: Group | undefined;
    let final: RecorderStatsLine | undefined;
    const window = { fromMs: 0, toMs: 0 };

    afterAll(async () => {
      await events?.close().catch(() => undefined);
      pipeline?.kill();
      await gate?.shut();
      await influx.dropDatabase(database).catch(() => undefined);
    });

    it('writes every estimate, PMU quality, views and cluster events, keeping points in its buffer while InfluxDB is down', async () => {
      gate = new TcpGate({ host: services.influx.host, port: services.influx.port }, await freePort());
      await gate.open();
      window.fromMs = Date.now() - 60_000;
      pipeline = await RecorderPipeline.start({
        casePath: CASE14,
        estimators: 2,
        areas: 2,
        fps: 10,
        recorderArgs: [
          ...[
            '--influx-url',
            `http://127.0.0.1:${gate.port}/${database}`,
            '--influx-flush-interval-ms',
            '200',
          ],
          ...['--influx-retry-max-ms', '1000', '--quality-interval-ms', '500'],
        ],
      });
      const p = pipeline;
      const before = await p.waitForStats(
        (s) => s.estimates >= 20 && (s.influx?.written ?? 0) > 0,
        'first points written',
      );

      // The supervisors' reports reach the recorder through cluster.events, as a supervisor sends them.
      events = new Group(CLUSTER_EVENTS_GROUP, { seeds: [p.seeds], founder: false });
      // This test's member hears its own event too: a handler for it, as every member of the group has.
      events.handle(messageHandlerId(CLUSTER_EVENT_MESSAGE), () => undefined);
      await events.join();
      const restarted: ClusterEvent = {
        kind: 'restarted',
        service: 'estimator',
        instance: 'estimator/1',
        reason: 'exited with code 1',
        failedAtMs: Date.now() - 900,
        joinedAtMs: Date.now(),
        rejoinMs: 900,
        attempt: 1,
      };
      await events.send(messageHandlerId(CLUSTER_EVENT_MESSAGE), restarted);

      await gate.shut();
      const down = await p.waitForStats(
        (s) => s.influx!.writeErrors > before.influx!.writeErrors && s.estimates >= before.estimates + 20,
        'estimates made while InfluxDB is down',
      );
      expect(down.influx!.buffered).toBeGreaterThan(0);
      await gate.open();
      await p.waitForStats(
        (s) => s.influx!.written > down.influx!.written + down.influx!.buffered,
        'the buffer written after the outage',
      );

      await p.stop();
      final = p.recorder.lines.find((l) => l.event === 'stopped') as unknown as RecorderStatsLine;
      window.toMs = Date.now() + 60_000;
      expect(final.influx!.dropped).toBe(0);
      expect(final.influx!.buffered).toBe(0);
      expect(final.influx!.writeErrors).toBeGreaterThan(0);
      expect(final.estimates).toBeGreaterThan(40);

      const [estimates] = await influx.query<{ n: number }>(
        `SELECT count("cost") AS n FROM "raw"."estimate" WHERE "source" = 'live'`,
      );
      expect(estimates.n, 'every assembled estimate is in InfluxDB, those of the outage included').toBe(
        final.estimates,
      );
      const buses = await influx.query<{ bus: string; n: number }>(
        `SELECT count("vm") AS n FROM "raw"."bus_voltage" GROUP BY "bus"`,
      );
      expect(buses.length).toBe(BUSES);
      // A bus is written when the estimate observed it: all of them once every PMU reports.
      for (const b of buses) {
        expect(b.n).toBeLessThanOrEqual(final.estimates);
        expect(b.n).toBeGreaterThan(final.estimates * 0.9);
      }
      const vm = await influx.query<{ lo: number; hi: number }>(
        `SELECT min("vm_min") AS lo, max("vm_max") AS hi FROM "raw"."estimate"`,
      );
      expect(vm[0].lo).toBeGreaterThan(0.9);
      expect(vm[0].hi).toBeLessThan(1.15);
      const quality = await influx.query<{ idcode: string; a: number }>(
        `SELECT mean("availability") AS a FROM "raw"."pmu_quality" WHERE "idcode" != 'all' GROUP BY "idcode"`,
      );
      expect(quality.length).toBeGreaterThan(0);
      for (const q of quality) expect(q.a).toBeGreaterThan(0.5);
      const groups = await influx.query<{ group: string; members: number }>(
        `SELECT last("members") AS members FROM "raw"."vsync_group" GROUP BY "group"`,
      );
      const names = groups.map((g) => g.group);
      expect(names).toEqual(
        expect.arrayContaining([
          'estimators',
          'results',
          'service.estimator',
          'service.recorder',
          'cluster.events',
        ]),
      );
      const cluster = await influx.query<{ rejoin_ms: number; instance: string }>(
        `SELECT "rejoin_ms", "instance" FROM "raw"."cluster_event"`,
      );
      expect(cluster.map((c) => [c.instance, c.rejoin_ms])).toEqual([['estimator/1', 900]]);

      const policies = await influx.showRetentionPolicies(database);
      expect(policies.find((r) => r.name === 'raw')).toMatchObject({ duration: '168h0m0s', default: true });
      expect(policies.find((r) => r.name === 'downsampled')).toMatchObject({
        duration: '8736h0m0s',
        default: false,
      });
      const cqs = (await influx.showContinousQueries(database)).map((q) => q.name).sort();
      expect(cqs).toEqual(Object.keys(CONTINUOUS_QUERIES).sort());
    });

    it('runs every query of every dashboard panel against what the recorder wrote, each datasource provisioned', async () => {
      expect(final, 'the recording run above').toBeDefined();
      const provisioned = YAML.parse(
        fs.readFileSync('dashboards/provisioning/datasources/influxdb.yaml', 'utf8'),
      ) as {
        datasources: { uid: string; type: string; jsonData: { dbName: string } }[];
      };
      const uids = new Set(provisioned.datasources.map((d) => d.uid));
      expect(provisioned.datasources.map((d) => [d.type, d.jsonData.dbName])).toEqual([
        ['influxdb', 'gridcloud'],
      ]);
      const provider = YAML.parse(
        fs.readFileSync('dashboards/provisioning/dashboards/gridcloud.yaml', 'utf8'),
      ) as {
        providers: { type: string; options: { path: string } }[];
      };
      expect(provider.providers[0]).toMatchObject({
        type: 'file',
        options: { path: '/var/lib/grafana/dashboards' },
      });

      // The continuous queries run once over the window, as InfluxDB runs them each minute, to fill `downsampled`.
      const range = `time >= ${window.fromMs}ms AND time <= ${window.toMs}ms`;
      for (const query of Object.values(CONTINUOUS_QUERIES))
        await influx.query(query.replace(' GROUP BY', ` WHERE ${range} GROUP BY`));

      const files = fs.readdirSync('dashboards/json').filter((f) => f.endsWith('.json'));
      expect(files.length).toBeGreaterThan(0);
      let ran = 0;
      for (const file of files) {
        const dashboard = JSON.parse(fs.readFileSync(`dashboards/json/${file}`, 'utf8')) as {
          panels: Panel[];
          annotations: { list: { query: string; datasource: { uid: string } }[] };
        };
        const queries: { where: string; uid: string | undefined; query: string }[] = [];
        for (const panel of dashboard.panels) {
          expect(uids.has(panel.datasource?.uid ?? ''), `${file}: panel '${panel.title}' datasource`).toBe(
            true,
          );
          for (const t of panel.targets)
            queries.push({
              where: `${file}: '${panel.title}' ${t.refId}`,
              uid: t.datasource?.uid,
              query: t.query,
            });
        }
        for (const a of dashboard.annotations.list)
          queries.push({ where: `${file}: annotation`, uid: a.datasource.uid, query: a.query });
        for (const q of queries) {
          expect(uids.has(q.uid ?? ''), `${q.where} datasource`).toBe(true);
          const text = q.query.replaceAll('$timeFilter', range).replaceAll('$__interval', '1s');
          const rows = await influx
            .query(text)
            .catch((error: Error) => Promise.reject(new Error(`${q.where}: ${error.message}\n${text}`)));
          const values = rows.flatMap((r) =>
            Object.entries(r).filter(([k, v]) => k !== 'time' && v !== null && v !== undefined),
          );
          expect(values.length, `${q.where} returned values\n${text}`).toBeGreaterThan(0);
          ran += 1;
        }
      }
      expect(ran).toBeGreaterThan(10);
    });
  },
);

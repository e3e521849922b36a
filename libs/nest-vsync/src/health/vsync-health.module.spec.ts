import 'reflect-metadata';
import {
  Inject,
  Injectable,
  type INestApplication,
  type LoggerService,
  type OnModuleInit,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import { AppMetrics, VsyncGroups, VsyncHealthModule, VsyncModule, type VsyncModuleOptions } from '../index';

const FAST = { core: { heartbeatIntervalMs: 20, failureTimeoutMs: 1000 }, shutdownLingerMs: 50 };
const QUIET: LoggerService = { log() {}, warn() {}, error() {} };

@Injectable()
class SnapshotFigures implements OnModuleInit {
  snapshots = 0;
  constructor(@Inject(AppMetrics) private readonly metrics: AppMetrics) {}
  onModuleInit(): void {
    this.metrics.counter('gridcloud_test_snapshots_total', 'snapshots seen', () => this.snapshots);
  }
}

const apps: INestApplication[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function serve(
  vsync: VsyncModuleOptions | undefined,
): Promise<{ app: INestApplication; base: string }> {
  const imports = vsync === undefined ? [VsyncHealthModule] : [VsyncModule.forRoot(vsync), VsyncHealthModule];
  const moduleRef = await Test.createTestingModule({ imports, providers: [SnapshotFigures] }).compile();
  const app = moduleRef.createNestApplication({ logger: QUIET });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe('VsyncHealthModule over HTTP', () => {
  it('answers /health 200 with the joined groups, and /metrics with vsync and app figures', async () => {
    const { app, base } = await serve({ ...FAST, groups: ['service.test'], join: ['service.test'] });
    app.get(SnapshotFigures).snapshots = 7;

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; info: { vsync: Record<string, unknown> } };
    expect(body.status).toBe('ok');
    expect(body.info.vsync.inPrimaryPartition).toBe(true);
    expect(body.info.vsync.systemViewId).toBeGreaterThan(0);
    expect(body.info.vsync.groups).toMatchObject({ 'service.test': { joined: true } });

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/^gridcloud_vsync_views_installed_total [1-9]/m);
    expect(text).toMatch(/^gridcloud_vsync_in_primary_partition 1$/m);
    expect(text).toMatch(/^gridcloud_vsync_group_members\{group="service.test"\} 1$/m);
    expect(text).toMatch(/^gridcloud_vsync_suspicions_total 0$/m);
    expect(text).toMatch(/^gridcloud_vsync_send_queue_messages 0$/m);
    expect(text).toMatch(/^gridcloud_test_snapshots_total 7$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });

  it('answers 503 while a group it joins is not joined yet', async () => {
    const unreachable = await freePort();
    const { app, base } = await serve({
      ...FAST,
      seeds: [`127.0.0.1:${unreachable}`],
      founder: false,
      groups: ['service.test'],
      joinTimeoutMs: 60_000,
    });
    const joining = app.get(VsyncGroups).join('service.test');
    joining.catch(() => undefined);

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; error: { vsync: Record<string, unknown> } };
    expect(body.status).toBe('error');
    expect(body.error.vsync.groups).toMatchObject({ 'service.test': { joined: false } });
  });

  it('is up without vsync for an app that is not in the system', async () => {
    const { base } = await serve(undefined);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ info: { vsync: { status: 'up', configured: false } } });
    expect(await (await fetch(`${base}/metrics`)).text()).not.toContain('gridcloud_vsync_');
  });
});

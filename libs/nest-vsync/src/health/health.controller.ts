import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { AppMetrics } from './app-metrics';
import { VsyncHealthIndicator } from './vsync-health-indicator';

/** GET /health (terminus: 200 when up, 503 with the details when down) and GET /metrics (Prometheus text). */
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(VsyncHealthIndicator) private readonly vsync: VsyncHealthIndicator,
    @Inject(AppMetrics) private readonly metrics: AppMetrics,
  ) {}

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.vsync.check()]);
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.text();
  }
}

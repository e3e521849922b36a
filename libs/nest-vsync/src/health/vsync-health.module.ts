import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppMetrics } from './app-metrics';
import { HealthController } from './health.controller';
import { VsyncHealthIndicator } from './vsync-health-indicator';
import { VsyncMetrics } from './vsync-metrics';

/**
 * GET /health and GET /metrics for any app: import it next to VsyncModule (or without it, for an app that is not
 * in the system yet). Global, so every module of the app adds its own figures through the injectable AppMetrics.
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [AppMetrics, VsyncHealthIndicator, VsyncMetrics],
  exports: [AppMetrics, VsyncHealthIndicator],
})
export class VsyncHealthModule {}

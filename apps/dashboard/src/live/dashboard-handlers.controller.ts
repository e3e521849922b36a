import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DashboardLive } from './dashboard-live.service';

/** The group messages the dashboard serves: estimators' area results, ingest's quality reports and the supervisors' cluster events. */
@Controller()
export class DashboardHandlers {
  constructor(@Inject(DashboardLive) private readonly live: DashboardLive) {}

  @EventPattern<string>('results/area-result')
  onAreaResult(@Payload() bytes: Uint8Array): void {
    this.live.onAreaResult(bytes);
  }

  @EventPattern<string>('ingest.quality/report')
  onQualityReport(@Payload() part: unknown): void {
    this.live.onQualityReport(part);
  }

  @EventPattern<string>('cluster.events/event')
  onClusterEvent(@Payload() event: unknown): void {
    this.live.onClusterEvent(event);
  }
}

import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DashboardLive } from './dashboard-live.service';

/** The group messages the dashboard serves as a member: ingest's quality reports and the supervisors' cluster events
 *  (the estimators' results: ResultsHandlers or ResultsSubscription, by --vsync-results). */
@Controller()
export class DashboardHandlers {
  constructor(@Inject(DashboardLive) private readonly live: DashboardLive) {}

  @EventPattern<string>('ingest.quality/report')
  onQualityReport(@Payload() part: unknown): void {
    this.live.onQualityReport(part);
  }

  @EventPattern<string>('cluster.events/event')
  onClusterEvent(@Payload() event: unknown): void {
    this.live.onClusterEvent(event);
  }
}

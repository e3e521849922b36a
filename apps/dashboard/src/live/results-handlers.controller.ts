import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DashboardLive } from './dashboard-live.service';

/** The estimators' area results with the dashboard a member of `results` (--vsync-results member). */
@Controller()
export class ResultsHandlers {
  constructor(@Inject(DashboardLive) private readonly live: DashboardLive) {}

  @EventPattern<string>('results/area-result')
  onAreaResult(@Payload() bytes: Uint8Array): void {
    this.live.onAreaResult(bytes);
  }
}

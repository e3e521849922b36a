import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { VsyncContext } from '@gridcloud/nest-vsync';
import { SupervisorService } from './supervisor.service';

/** What a supervisor hears on `agents`: process events, rosters, and the orders of the other supervisors. */
@Controller()
export class AgentHandlers {
  constructor(@Inject(SupervisorService) private readonly supervisor: SupervisorService) {}

  @EventPattern<string>('agents/process-event')
  onProcessEvent(@Payload() event: unknown): void {
    this.supervisor.onProcessEvent(event);
  }

  @EventPattern<string>('agents/roster')
  onRoster(@Payload() roster: unknown): void {
    this.supervisor.onRoster(roster);
  }

  @EventPattern<string>('agents/order')
  onOrder(@Payload() order: { instance?: unknown } | undefined, @Ctx() ctx: VsyncContext): void {
    this.supervisor.onOrderSeen(order, ctx.getSender());
  }
}

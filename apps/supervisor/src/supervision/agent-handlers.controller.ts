import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { VsyncContext } from '@gridcloud/nest-vsync';
import { SupervisorService } from './supervisor.service';

/**
 * What a supervisor hears on `agents` (process events, rosters, the orders of the other supervisors) and on
 * `supervisors` (the restart history the members before it send when it joins).
 */
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

  @EventPattern<string>('supervisors/restart-history')
  onRestartHistory(@Payload() history: unknown, @Ctx() ctx: VsyncContext): void {
    this.supervisor.onRestartHistory(history, ctx.getSender());
  }

  @EventPattern<string>('agents/order')
  onOrder(@Payload() order: { instance?: unknown } | undefined, @Ctx() ctx: VsyncContext): void {
    this.supervisor.onOrderSeen(order, ctx.getSender());
  }
}

import { Module } from '@nestjs/common';
import { AgentHandlers } from './agent-handlers.controller';
import { SupervisorOutput } from './supervisor-output';
import { SupervisorService } from './supervisor.service';

/** The supervisor's feature: the decision core's shell and its `agents` handlers. */
@Module({
  providers: [SupervisorService, SupervisorOutput],
  controllers: [AgentHandlers],
})
export class SupervisionModule {}

/**
 * @gridcloud/nest-vsync: the NestJS binding of @gridcloud/vsync. VsyncModule provides the app's VsyncProcess and
 * its Groups, VsyncServer serves `@EventPattern('group/message')` handlers, GroupPublisher sends by message name,
 * `@OnView(group)` and SystemViews report views, and VsyncHealthModule answers GET /health and GET /metrics.
 *
 * This barrel is the library's only public surface.
 */
export { VsyncModule, type VsyncModuleAsyncOptions } from './vsync.module';
export { type VsyncModuleOptions } from './vsync-module-options';
export { VsyncGroups, type GroupMembership } from './vsync-groups';
export { VsyncServer } from './vsync-server';
export { VsyncContext, type VsyncDelivery } from './vsync-context';
export { GroupPublisher } from './group-publisher';
export { GroupClients, NamedGroupClient } from './group-clients';
export { InjectGroup } from './inject-group.decorator';
export { OnView } from './on-view.decorator';
export { SystemViews } from './system-views';
export { messageHandlerId } from './message-id';
export { ServiceLogger } from './service-logger';
export { stopOnSignalOrAfter } from './stop';
export { bootService, type ServiceBoot, type BootedService } from './boot-service';
export { VsyncHealthModule } from './health/vsync-health.module';
export { AppMetrics } from './health/app-metrics';
export { VsyncHealthIndicator } from './health/vsync-health-indicator';
export { VsyncModuleOptionsError, VsyncPatternError, ServiceBindError } from './errors';
export { bindingFailure } from './errors/service-bind-error';

import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { VsyncContext } from '@gridcloud/nest-vsync';
import { EstimationService } from './estimation.service';

/** The group messages an estimator serves; each handler hands the bytes and the delivery's views to the service. */
@Controller()
export class EstimatorHandlers {
  constructor(@Inject(EstimationService) private readonly estimation: EstimationService) {}

  @EventPattern<string>('estimators/catalog')
  onCatalog(@Payload() bytes: Uint8Array): void {
    this.estimation.onCatalog(bytes);
  }

  @EventPattern<string>('estimators/snapshot')
  onSnapshot(@Payload() bytes: Uint8Array, @Ctx() ctx: VsyncContext): void {
    this.estimation.onSnapshot(bytes, ctx.getView(), ctx.getSystemView());
  }

  @EventPattern<string>('results/area-result')
  onResult(@Payload() bytes: Uint8Array): void {
    this.estimation.onResult(bytes);
  }
}

import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RecorderService } from './recorder.service';

/** The group messages the recorder serves; each handler hands the payload to the service. */
@Controller()
export class RecorderHandlers {
  constructor(@Inject(RecorderService) private readonly recorder: RecorderService) {}

  @EventPattern<string>('estimators/snapshot')
  onSnapshot(@Payload() bytes: Uint8Array): void {
    this.recorder.onSnapshot(bytes);
  }

  @EventPattern<string>('estimators/catalog')
  onCatalog(@Payload() bytes: Uint8Array): void {
    this.recorder.onCatalog(bytes);
  }

  @EventPattern<string>('results/area-result')
  onResult(@Payload() bytes: Uint8Array): void {
    this.recorder.onResult(bytes);
  }

  @EventPattern<string>('cluster.events/event')
  onClusterEvent(@Payload() event: unknown): void {
    this.recorder.onClusterEvent(event);
  }
}

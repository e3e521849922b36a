import { BaseRpcContext } from '@nestjs/microservices';
import type { DeliveryOrdering, ProcessId, SystemView, View } from '@gridcloud/vsync';

/** Everything known about one delivery at the moment vsync delivered it. */
export interface VsyncDelivery {
  readonly group: string;
  readonly message: string;
  readonly sender: ProcessId;
  /** The system view id of the group view the message was delivered in (that view's `systemViewId`). */
  readonly viewId: number;
  /** fifo or total for a multicast, p2p for a p2pSend or p2pQuery. */
  readonly ordering: DeliveryOrdering;
  /** The group's installed view at delivery (the one whose `systemViewId` is `viewId`). */
  readonly view: View | undefined;
  /** The system view at delivery: the same at every member for the same message. */
  readonly systemView: SystemView | undefined;
}

/** What `@Ctx()` gives an `@EventPattern` handler served by VsyncServer. */
export class VsyncContext extends BaseRpcContext<[VsyncDelivery]> {
  constructor(delivery: VsyncDelivery) {
    super([delivery]);
  }

  get delivery(): VsyncDelivery {
    return this.args[0];
  }

  getGroup(): string {
    return this.args[0].group;
  }

  getMessage(): string {
    return this.args[0].message;
  }

  getSender(): ProcessId {
    return this.args[0].sender;
  }

  getViewId(): number {
    return this.args[0].viewId;
  }

  getOrdering(): DeliveryOrdering {
    return this.args[0].ordering;
  }

  getView(): View | undefined {
    return this.args[0].view;
  }

  getSystemView(): SystemView | undefined {
    return this.args[0].systemView;
  }
}

import type { DeliveryOrdering, ProcessId, View } from '../protocol';

/** One message delivered to a group, as the core ordered it. */
export interface Delivery {
  readonly group: string;
  readonly viewId: number;
  readonly sender: ProcessId;
  readonly ordering: DeliveryOrdering;
  readonly payload: Uint8Array;
  /** 0, or the sender's query id: the group owes the sender one reply (VsyncProcess.reply). */
  readonly queryId: number;
}

/** What the process runtime calls on a group attached to it; Group implements it. */
export interface GroupEndpoint {
  deliver(delivery: Delivery): void;
  installView(view: View): void;
  fail(error: Error): void;
  /** This incarnation was excluded, before its pending requests are refused; `rejoining`: a new incarnation joins
   *  the group again. */
  excluded?(rejoining: boolean): void;
}

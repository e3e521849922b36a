import type { VsyncError } from './errors/vsync-error';
import type { ProcessId } from './process-id';
import type { View } from './view';
import type { Ordering, ViewValue, WireMessage } from './wire-message';

/** Inputs the runtime feeds in. Time is only ever an input. */
export type CoreInput =
  | { type: 'start'; nowMs: number }
  | { type: 'tick'; nowMs: number }
  | { type: 'receive'; fromAddress: string; message: WireMessage; nowMs: number }
  | { type: 'join'; group: string; requestId: number; nowMs: number }
  | { type: 'leave'; group: string; requestId: number; nowMs: number }
  | {
      type: 'multicast';
      group: string;
      ordering: Ordering;
      requestId: number;
      payload: Uint8Array;
      nowMs: number;
    }
  | {
      /** Several multicasts to one group issued together, in order: they leave as one data message per member. */
      type: 'multicastBatch';
      group: string;
      multicasts: readonly BatchedMulticast[];
      nowMs: number;
    }
  /** Completes once every message of the group this process sent (into the window) or delivered before this input is
   *  stable: received by every member, or carried through a view change, which delivers it at every survivor. */
  | { type: 'flush'; group: string; requestId: number; nowMs: number }
  | { type: 'shutdown'; nowMs: number };

/** One multicast of a 'multicastBatch' input; each gets its own requestDone or requestFailed. */
export interface BatchedMulticast {
  readonly requestId: number;
  readonly ordering: Ordering;
  readonly payload: Uint8Array;
}

/** Effects the runtime carries out, in order. */
export type CoreOutput =
  | { type: 'send'; toAddress: string; message: WireMessage }
  | {
      type: 'deliver';
      group: string;
      viewId: number;
      sender: ProcessId;
      ordering: Ordering;
      payload: Uint8Array;
    }
  | { type: 'view'; group: string; view: View }
  /** A system view was installed: it comes after every delivery of the previous view and before any group view or
   *  delivery of this one, so an observer knows exactly which system view each delivery belongs to. */
  | { type: 'systemView'; view: ViewValue }
  | { type: 'requestDone'; requestId: number }
  | { type: 'requestFailed'; requestId: number; error: VsyncError }
  | { type: 'disconnect'; address: string }
  | { type: 'excluded'; error: VsyncError };

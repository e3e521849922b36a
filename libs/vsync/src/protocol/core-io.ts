import type { VsyncError } from './errors/vsync-error';
import type { ProcessId } from './process-id';
import type { View } from './view';
import type { Ordering, WireMessage } from './wire-message';

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
  | { type: 'shutdown'; nowMs: number };

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
  | { type: 'requestDone'; requestId: number }
  | { type: 'requestFailed'; requestId: number; error: VsyncError }
  | { type: 'disconnect'; address: string }
  | { type: 'excluded'; error: VsyncError };

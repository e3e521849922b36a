/** States of a PDC client session. */
export type SessionState = 'idle' | 'connecting' | 'awaiting-config' | 'streaming' | 'backoff' | 'stopped';

/** What the runtime shell observed, with its clock. */
export type SessionEvent =
  | { readonly type: 'start'; readonly nowMs: number }
  | { readonly type: 'stop'; readonly nowMs: number }
  | { readonly type: 'connected'; readonly nowMs: number }
  /** The connection failed or closed. */
  | { readonly type: 'disconnected'; readonly nowMs: number; readonly error?: string }
  /** A CFG-2 (or CFG-3) for this stream arrived; CFGCNT of each of its PMU blocks. */
  | { readonly type: 'config'; readonly nowMs: number; readonly cfgcnt: readonly number[] }
  /** A data frame for this stream arrived; `configChangePending` is STAT bit 10 of any of its PMU blocks. */
  | { readonly type: 'data'; readonly nowMs: number; readonly configChangePending: boolean }
  /** A data frame disagreed with the configuration in force (its size): the configuration changed unannounced. */
  | { readonly type: 'config-mismatch'; readonly nowMs: number; readonly message: string }
  /** The timer from the last `timer` effect fired (extra ticks are harmless). */
  | { readonly type: 'tick'; readonly nowMs: number };

export type SessionCommand = 'cfg2' | 'cfg3' | 'start' | 'stop';

/** What the session asks the shell to do, in order. */
export type SessionEffect =
  | { readonly type: 'connect' }
  | { readonly type: 'send'; readonly command: SessionCommand; readonly idcode: number }
  /** `failed`: the session gave up on the connection (a timeout); false when it was asked to stop. */
  | { readonly type: 'close'; readonly reason: string; readonly failed: boolean }
  /** Arm the single session timer for `atMs`, replacing any earlier one. */
  | { readonly type: 'timer'; readonly atMs: number }
  /** The first configuration, or one whose CFGCNT differs from the one in force. */
  | {
      readonly type: 'config-changed';
      readonly cfgcnt: readonly number[];
      readonly previous: readonly number[] | undefined;
    }
  | { readonly type: 'state'; readonly from: SessionState; readonly to: SessionState; readonly why: string };

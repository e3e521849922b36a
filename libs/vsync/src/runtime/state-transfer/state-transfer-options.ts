import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TRANSFER_PLAN } from '../../protocol';
import { secretProblem, type VsyncSecret } from '../../security';
import { VsyncOptionsError } from '../errors/vsync-options-error';
import type { CheckpointChunks } from './checkpoint-spool';

/** How far a transfer has come, reported on both ends. */
export interface StateTransferProgress {
  readonly direction: 'send' | 'receive' | 'file';
  /** The view boundary whose state moves (for 'file', the view this member started the group in). */
  readonly viewId: number;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly percent: number;
}

/** Join with state transfer and checkpoint files for one group (`group.stateTransfer(options)` before join()). */
export interface StateTransferOptions {
  /** Captures the state as of the call and yields it as chunks. It is called between deliveries (at a view boundary
   *  for a joiner, or for a checkpoint file) and must describe the state at that moment even if the chunks are
   *  consumed later (copy or serialize first). Equal states must give equal bytes: a transfer resumes from another
   *  member only if its bytes have the same digest. */
  readonly makeCheckpoint: () => CheckpointChunks;
  /** Replaces this member's state with the checkpoint's; deliveries after the view wait until it resolves. `signal`
   *  is aborted (its reason the error) when the load is given up: the buffer overflowed, every holder of the state
   *  left, the group closed, or this process rejoined as a new incarnation (StateTransferRestartedError), which loads
   *  again once this call has returned. Calls never overlap; one given up must stop changing the state. */
  readonly loadCheckpoint: (chunks: AsyncIterable<Uint8Array>, signal: AbortSignal) => Promise<void> | void;
  readonly onProgress?: (progress: StateTransferProgress) => void;
  /** Bytes of payload a loading joiner holds back; beyond it, StateBufferOverflowError (default 64 MiB). */
  readonly maxBufferedBytes?: number;
  /** Largest checkpoint accepted, made or received (default 8 GiB). */
  readonly maxCheckpointBytes?: number;
  /** Oldest surviving members that keep each checkpoint for a joiner: sender plus resumers (default 3). */
  readonly replicas?: number;
  /** Views whose joiners are still loading, tracked at once (default 16). */
  readonly maxOpenTransfers?: number;
  /** Where a member keeps the checkpoints it may send, in a directory of its own ("<pid>", removed at exit and, after
   *  a kill, by the next process that spools there); default: gridcloud-vsync-state in the OS temporary directory. */
  readonly spoolDir?: string;
  /** Checkpoints kept for joiners up to this size stay in memory, larger ones go to a spool file (default 64 MiB). */
  readonly memorySpoolBytes?: number;
  /** Received bytes not yet taken by loadCheckpoint before the sender is paused (default 16 MiB). */
  readonly receiveQueueBytes?: number;
  /** Bytes per read and write when streaming (default 1 MiB). */
  readonly chunkBytes?: number;
  readonly handshakeTimeoutMs?: number;
  /** Times a sender dials a joiner before giving up (default 5), `retryDelayMs` apart (default 200). */
  readonly serveAttempts?: number;
  readonly retryDelayMs?: number;
  /** Interface the joiner's state endpoint listens on (default: the host of the process's advertised address). */
  readonly bindHost?: string;
  /** The system secret (default: the process's `secret` / setSecure): the state stream is then authenticated with a
   *  key derived from it for this group. */
  readonly secret?: VsyncSecret;
  /** Directory of checkpoint files; unset = none. The first member of a restarted group loads the newest. */
  readonly checkpointDir?: string;
  /** Period of checkpoint files (0 = only `saveCheckpoint()`; default 0). */
  readonly checkpointIntervalMs?: number;
  /** Checkpoint files kept per group, newest first (default 3). */
  readonly keptCheckpoints?: number;
}

export type ResolvedStateTransferOptions = Required<
  Omit<StateTransferOptions, 'onProgress' | 'secret' | 'checkpointDir' | 'bindHost'>
> &
  Pick<StateTransferOptions, 'onProgress' | 'secret' | 'checkpointDir' | 'bindHost'>;

const DEFAULTS = {
  maxBufferedBytes: 64 * 1024 * 1024,
  maxCheckpointBytes: 8 * 1024 ** 3,
  replicas: DEFAULT_TRANSFER_PLAN.replicas,
  maxOpenTransfers: DEFAULT_TRANSFER_PLAN.maxOpenTransfers,
  receiveQueueBytes: 16 * 1024 * 1024,
  memorySpoolBytes: 64 * 1024 * 1024,
  chunkBytes: 1024 * 1024,
  handshakeTimeoutMs: 5_000,
  serveAttempts: 5,
  retryDelayMs: 200,
  checkpointIntervalMs: 0,
  keptCheckpoints: 3,
};

/** Validates every option with an error naming it. */
export function resolveStateTransferOptions(options: StateTransferOptions): ResolvedStateTransferOptions {
  if (options === null || typeof options !== 'object')
    throw new VsyncOptionsError('stateTransfer', 'must be an object');
  for (const name of ['makeCheckpoint', 'loadCheckpoint'] as const)
    if (typeof options[name] !== 'function') throw new VsyncOptionsError(name, 'must be a function');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new VsyncOptionsError('onProgress', 'must be a function');
  const resolved = {
    ...DEFAULTS,
    spoolDir: join(tmpdir(), 'gridcloud-vsync-state'),
    ...definedOnly(options),
  };
  for (const [name, min] of Object.entries(POSITIVE)) {
    const value = resolved[name as keyof typeof POSITIVE];
    if (!Number.isSafeInteger(value) || value < min)
      throw new VsyncOptionsError(name, `must be an integer >= ${min}, got ${String(value)}`);
  }
  for (const name of ['spoolDir', 'checkpointDir', 'bindHost'] as const) {
    const value = resolved[name];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0))
      throw new VsyncOptionsError(name, 'must be a non-empty string');
  }
  const problem = resolved.secret === undefined ? undefined : secretProblem(resolved.secret);
  if (problem !== undefined) throw new VsyncOptionsError('secret', problem);
  return resolved as ResolvedStateTransferOptions;
}

const POSITIVE = {
  maxBufferedBytes: 0,
  maxCheckpointBytes: 0,
  replicas: 1,
  maxOpenTransfers: 1,
  receiveQueueBytes: 1,
  memorySpoolBytes: 0,
  chunkBytes: 1,
  handshakeTimeoutMs: 1,
  serveAttempts: 1,
  retryDelayMs: 0,
  checkpointIntervalMs: 0,
  keptCheckpoints: 1,
};

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

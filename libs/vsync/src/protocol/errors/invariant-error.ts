import { VsyncError } from './vsync-error';

/** A protocol invariant was broken: a bug, never an expected condition. */
export class InvariantError extends VsyncError {
  constructor(detail: string) {
    super(
      'INVARIANT',
      `InvariantError: ${detail} (this is a bug in the vsync protocol core; please report it)`,
    );
  }
}

/** Crashes loudly rather than carrying on with corrupt protocol state. */
export function assert(condition: unknown, detail: string): asserts condition {
  if (!condition) throw new InvariantError(detail);
}

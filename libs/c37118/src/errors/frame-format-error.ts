import type { RejectReason } from '../codec/reject';

/**
 * A received frame that cannot be decoded. The decoder turns it into a
 * reject result with the same reason; it reaches callers only through
 * `decodeFrameOrThrow`.
 */
export class FrameFormatError extends Error {
  override readonly name = 'FrameFormatError';

  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

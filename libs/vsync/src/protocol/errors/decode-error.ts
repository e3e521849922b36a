import { VsyncError } from './vsync-error';

/** Bytes that are not a valid wire message of a version this build understands. */
export class DecodeError extends VsyncError {
  constructor(detail: string) {
    super(
      'DECODE',
      `DecodeError: ${detail}; the frame was dropped (check that both peers run the same protocol version)`,
    );
  }
}

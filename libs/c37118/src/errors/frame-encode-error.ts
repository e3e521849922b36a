/**
 * A frame object that cannot be put on the wire (a value out of its field's
 * range, a name too long, a data frame that does not match its config). The
 * message names the field and the allowed range so the caller can fix it.
 */
export class FrameEncodeError extends Error {
  override readonly name = 'FrameEncodeError';
}

/** A handler pattern the VsyncServer cannot serve; raised when the server starts, before any group is joined. */
export class VsyncPatternError extends Error {
  override readonly name = 'VsyncPatternError';
}

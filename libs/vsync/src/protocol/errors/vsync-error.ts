/** Base of every typed error raised by the vsync library; `code` is stable for programmatic checks. */
export class VsyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

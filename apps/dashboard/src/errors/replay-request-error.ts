/** A replay request from a browser that cannot be run (window outside the recording, too many jobs, no Redis). */
export class ReplayRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayRequestError';
  }
}

/** A job whose data cannot be run (a bad window, an unknown field value): failed at once, never retried. */
export class JobDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobDataError';
  }
}

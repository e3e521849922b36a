/** A bad flag, variable or input file at start-up: the recorder prints one line naming it and exits 2. */
export class RecorderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecorderConfigError';
  }
}

/**
 * Base class of every error thrown by libs/grid. Callers (the CLI, services)
 * catch this one type to turn a bad input into a clear message and a non-zero
 * exit instead of a crash.
 */
export class GridError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

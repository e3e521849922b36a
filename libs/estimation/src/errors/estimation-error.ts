/**
 * Base class of every error thrown by libs/estimation. A service catches this
 * one type to count and report bad input (a corrupt message, a bad channel map)
 * instead of crashing.
 */
export class EstimationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

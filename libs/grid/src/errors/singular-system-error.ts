import { GridError } from './grid-error';

/**
 * A linear system (power-flow Jacobian or estimator gain matrix) has a zero
 * pivot. For the estimator this means the measurements do not determine the
 * state; add measurements (PMUs) near the named bus.
 */
export class SingularSystemError extends GridError {
  /** Dense index of the bus the system fails to determine, when known. */
  readonly busIndex: number;

  constructor(detail: string, busIndex = -1) {
    super(`singular system: ${detail}`);
    this.busIndex = busIndex;
  }
}

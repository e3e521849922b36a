import { GridError } from './grid-error';

/** Newton-Raphson did not reach the mismatch tolerance within the iteration bound. */
export class PowerFlowDivergenceError extends GridError {
  constructor(iterations: number, mismatch: number) {
    super(
      `power flow did not converge in ${iterations} iterations (largest mismatch ${mismatch.toExponential(3)} pu); ` +
        'check the case data or raise maxIterations',
    );
  }
}

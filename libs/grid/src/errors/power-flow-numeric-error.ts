import { GridError } from './grid-error';

/**
 * A power-flow mismatch that is not a finite number. NaN compares false with
 * every tolerance, so without this check it would pass for convergence.
 */
export class PowerFlowNumericError extends GridError {
  constructor(
    caseName: string,
    readonly busId: number,
    readonly quantity: 'P' | 'Q',
    readonly iteration: number,
    value: number,
  ) {
    super(
      `power flow of case ${caseName}: the ${quantity} mismatch at bus ${busId} is ${value} at iteration ${iteration}, ` +
        'not a solution; an admittance at that bus overflows (a branch impedance near zero) or the Newton step ' +
        'diverged to a non-finite voltage: check the branches at that bus',
    );
  }
}

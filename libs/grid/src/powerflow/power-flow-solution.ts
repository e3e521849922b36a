/** Bus voltages in polar form (magnitude pu, angle rad), by dense bus index. */
export interface BusVoltages {
  readonly vm: Float64Array;
  readonly va: Float64Array;
}

/** A converged AC power flow. */
export interface PowerFlowSolution extends BusVoltages {
  readonly iterations: number;
  /** Largest P/Q mismatch at the solution, per unit. */
  readonly mismatchPu: number;
}

import { GridConfigError } from '../errors/config-error';

/** Bounds of the Newton-Raphson power flow. */
export interface PowerFlowOptions {
  /** Largest acceptable P/Q mismatch, per unit on the case base. */
  readonly tolerancePu: number;
  /** Newton iterations before giving up. */
  readonly maxIterations: number;
  /**
   * Where PV and reference buses take their voltage magnitude: 'generator'
   * (Vg, MATPOWER's runpf) or 'bus' (the stored Vm, for cases whose stored
   * solution was produced with other set-points, such as ACTIVSg2000).
   */
  readonly setpointSource?: 'generator' | 'bus';
}

export const DEFAULT_POWER_FLOW_OPTIONS: PowerFlowOptions = { tolerancePu: 1e-10, maxIterations: 30 };

/** Validates options at start-up so a bad bound fails with its name and range. */
export function validatePowerFlowOptions(o: PowerFlowOptions): PowerFlowOptions {
  if (!(o.tolerancePu > 0 && o.tolerancePu < 1)) {
    throw new GridConfigError(`tolerancePu must be in (0, 1) per unit, got ${o.tolerancePu}`);
  }
  if (!Number.isInteger(o.maxIterations) || o.maxIterations < 1 || o.maxIterations > 1000) {
    throw new GridConfigError(`maxIterations must be an integer in [1, 1000], got ${o.maxIterations}`);
  }
  if (o.setpointSource !== undefined && o.setpointSource !== 'generator' && o.setpointSource !== 'bus') {
    throw new GridConfigError(`setpointSource must be 'generator' or 'bus', got ${String(o.setpointSource)}`);
  }
  return o;
}

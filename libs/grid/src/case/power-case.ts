/** Bus types of the MATPOWER format. */
export const BusType = { PQ: 1, PV: 2, REF: 3, ISOLATED: 4 } as const;

/** One row of `mpc.bus` (the columns the grid library uses). Powers in MW/MVAr, Va in degrees. */
export interface CaseBus {
  readonly id: number;
  readonly type: number;
  readonly pd: number;
  readonly qd: number;
  readonly gs: number;
  readonly bs: number;
  readonly area: number;
  readonly vm: number;
  readonly vaDeg: number;
  /** Line of the case file the row came from, for error messages. */
  readonly line: number;
}

/** One row of `mpc.gen`. */
export interface CaseGen {
  readonly bus: number;
  readonly pg: number;
  readonly qg: number;
  readonly vg: number;
  readonly inService: boolean;
  readonly line: number;
}

/** One row of `mpc.branch`. `ratio` 0 means a line (tap 1); `angleDeg` is the phase shift. */
export interface CaseBranch {
  readonly from: number;
  readonly to: number;
  readonly r: number;
  readonly x: number;
  readonly b: number;
  readonly ratio: number;
  readonly angleDeg: number;
  readonly inService: boolean;
  readonly line: number;
}

/** A MATPOWER case (format version 2) as read from the file. */
export interface PowerCase {
  readonly name: string;
  readonly baseMVA: number;
  readonly buses: readonly CaseBus[];
  readonly gens: readonly CaseGen[];
  readonly branches: readonly CaseBranch[];
}

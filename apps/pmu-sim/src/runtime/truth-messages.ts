import type { SolvedVoltages } from '../model/grid-truth';
import type { TruthKey } from '../model/truth-schedule';

/** Emitting thread -> look-ahead worker: solve the power flow of one truth key. */
export interface TruthSolveRequest {
  readonly key: TruthKey;
  readonly loadScale: number;
  readonly tripped: readonly number[];
}

/** Look-ahead worker -> emitting thread: loaded and listening (once), then per request the key's voltages, or why there are none. */
export type TruthWorkerMessage = { readonly ready: true } | TruthSolveReply;

export type TruthSolveReply =
  | { readonly key: TruthKey; readonly solved: SolvedVoltages }
  | { readonly key: TruthKey; readonly failed: string };

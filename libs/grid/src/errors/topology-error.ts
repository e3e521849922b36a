import { GridError } from './grid-error';

/** A breaker status that names no branch of the case, or a topology the estimator cannot use. */
export class TopologyError extends GridError {}

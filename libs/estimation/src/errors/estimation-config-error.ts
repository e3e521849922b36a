import { EstimationError } from './estimation-error';

/** An option of the estimation worker or collector out of range; the message names the option and its unit. */
export class EstimationConfigError extends EstimationError {}

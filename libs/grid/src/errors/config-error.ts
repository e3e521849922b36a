import { GridError } from './grid-error';

/** An option out of its valid range; the message names the option, its unit and the allowed range. */
export class GridConfigError extends GridError {}

import { EstimationError } from './estimation-error';

/** A channel-map file that cannot be used; the message names the entry and what was wrong. */
export class ChannelMapError extends EstimationError {}

import { EstimationError } from './estimation-error';

/** Bytes that are not a valid encoded snapshot, catalog or area result; the message names the field at fault. */
export class WireFormatError extends EstimationError {
  constructor(
    readonly what: 'snapshot' | 'catalog' | 'result',
    readonly reason: string,
  ) {
    super(`undecodable ${what}: ${reason}`);
  }
}

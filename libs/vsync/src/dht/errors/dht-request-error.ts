import { VsyncError } from '../../protocol';

/** A DHT request was malformed or refused as invalid (a key or value over its bound, an unknown aggregate). */
export class DhtRequestError extends VsyncError {
  constructor(detail: string) {
    super('DHT_REQUEST', `DhtRequestError: ${detail}`);
  }
}

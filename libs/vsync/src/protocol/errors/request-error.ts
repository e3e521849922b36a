import { VsyncError } from './vsync-error';

/** An API request was malformed or cannot be carried out in the current state. */
export class RequestError extends VsyncError {
  constructor(detail: string) {
    super('BAD_REQUEST', `RequestError: ${detail}`);
  }
}

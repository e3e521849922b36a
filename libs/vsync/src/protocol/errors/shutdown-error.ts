import { VsyncError } from './vsync-error';

/** The process is shutting down or has been excluded, so the request can never complete. */
export class ShutdownError extends VsyncError {
  constructor(state: string) {
    super(
      'SHUTDOWN',
      `ShutdownError: the process is ${state}; no request can complete, create a new process to continue`,
    );
  }
}

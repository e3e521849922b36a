import { VsyncError } from '../../protocol';

/** The process runtime was shut down (or never started); create a new VsyncProcess or Group to take part again. */
export class ProcessClosedError extends VsyncError {
  constructor(action: string) {
    super(
      'PROCESS_CLOSED',
      `cannot ${action}: this vsync process has shut down; create a new VsyncProcess (or Group) to rejoin`,
    );
  }
}

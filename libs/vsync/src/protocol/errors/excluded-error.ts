import { VsyncError } from './vsync-error';

/** The membership service removed this incarnation (for example after a false suspicion). */
export class ExcludedError extends VsyncError {
  constructor(detail: string) {
    super(
      'EXCLUDED',
      `ExcludedError: the membership service removed this process from the view (${detail}); ` +
        'restart it with a higher incarnation to rejoin',
    );
  }
}

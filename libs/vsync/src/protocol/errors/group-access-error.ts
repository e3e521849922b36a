import { VsyncError } from './vsync-error';

/** A join to a secured group was refused, or a keyed process met its group running open. */
export class GroupAccessError extends VsyncError {
  constructor(group: string, why: string) {
    super('GROUP_ACCESS', `GroupAccessError: cannot join group "${group}": ${why}`);
  }
}

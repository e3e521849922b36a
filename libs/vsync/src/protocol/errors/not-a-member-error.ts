import { VsyncError } from './vsync-error';

/** A multicast or leave named a group this process has not joined. */
export class NotAMemberError extends VsyncError {
  constructor(group: string) {
    super(
      'NOT_A_MEMBER',
      `NotAMemberError: this process is not a member of group "${group}"; await join() first`,
    );
  }
}

import { VsyncError } from '../../protocol';

/** A delivered payload is not in the Group argument encoding, e.g. sent by another program sharing the group name. */
export class UndecodablePayloadError extends VsyncError {
  constructor(
    readonly group: string,
    detail: string,
  ) {
    super(
      'UNDECODABLE_PAYLOAD',
      `group '${group}' delivered a payload that is not a Group message (${detail}); make sure only Group members of this version use the group name`,
    );
  }
}

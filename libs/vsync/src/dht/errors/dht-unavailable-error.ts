import { VsyncError } from '../../protocol';

/** The owners of a key did not answer consistently within the client's attempts (views kept changing, owners
 *  failed, or the group has no member). */
export class DhtUnavailableError extends VsyncError {
  constructor(group: string, detail: string) {
    super(
      'DHT_UNAVAILABLE',
      `DhtUnavailableError: DHT "${group}": ${detail}; the operation may be retried (puts are idempotent)`,
    );
  }
}

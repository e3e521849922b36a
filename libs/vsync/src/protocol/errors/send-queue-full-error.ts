import { VsyncError } from './vsync-error';

/** Flow control: the send window and the bounded queue behind it are both full. */
export class SendQueueFullError extends VsyncError {
  constructor(group: string, limit: number) {
    super(
      'SEND_QUEUE_FULL',
      `SendQueueFullError: group "${group}" already has ${limit} multicasts waiting for the send window; ` +
        'await earlier sends before issuing more, or raise sendQueueMessages',
    );
  }
}

import { VsyncError } from '../../protocol';

/** An owner of the key is at its memory bound; the put was not acknowledged. */
export class DhtFullError extends VsyncError {
  constructor(
    readonly owner: string,
    readonly bound: string,
    readonly limit: number,
  ) {
    super(
      'DHT_FULL',
      `DhtFullError: member ${owner} holds ${bound} (${limit}) already; the put was not stored. Add members, ` +
        `raise ${bound}, or store less`,
    );
  }
}

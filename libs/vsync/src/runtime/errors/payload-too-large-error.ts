import { VsyncError } from '../../protocol';

/** An encoded multicast payload is larger than one frame can carry. */
export class PayloadTooLargeError extends VsyncError {
  constructor(
    readonly sizeBytes: number,
    readonly maxPayloadBytes: number,
  ) {
    super(
      'PAYLOAD_TOO_LARGE',
      `encoded arguments take ${sizeBytes} bytes, more than the ${maxPayloadBytes} a message can carry; ` +
        'send smaller arguments (e.g. a reference to data kept elsewhere) or raise transport.maxFrameBytes on every process',
    );
  }
}

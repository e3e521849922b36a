/** A single message cannot fit in one frame; the caller must send smaller payloads or raise maxFrameBytes on every process. */
export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';

  constructor(
    readonly sizeBytes: number,
    readonly maxMessageBytes: number,
  ) {
    super(
      `message of ${sizeBytes} bytes exceeds the largest message a frame can carry (${maxMessageBytes} bytes); ` +
        'send smaller payloads or raise maxFrameBytes on every process',
    );
  }
}

/**
 * Wire format of one frame (big-endian):
 *
 *   0  u16  magic 0x5653 ("VS"), so a stray client or a port scan is rejected at the first bytes
 *   2  u8   version; a peer speaking another version is refused rather than misparsed
 *   3  u8   flags: none for a data frame, else exactly one of HELLO, CHALLENGE, PROOF, SEALED, DIALBACK, ECHO,
 *           WELCOME
 *   4  u32  body length in bytes
 *   8       body:
 *           hello      u8 mode (0 open, 1 keyed), keyed: 16-byte dialer nonce; then the dialer's advertised address
 *           challenge  16-byte acceptor nonce, 32-byte MAC (keyed connections only)
 *           proof      32-byte MAC (keyed connections only)
 *           data       a batch of messages, each a u32 length followed by that many bytes
 *           sealed     a data body encrypted with AES-256-GCM, then its 16-byte tag; the header is associated data
 *           dialback   16-byte nonce an acceptor sends to the address a hello claimed (open connections only)
 *           echo       16-byte nonce: a dialback received from this peer, sent back on the connection this
 *                      process dialed to it (open connections only)
 *           welcome    empty: the acceptor verified the dialer's address; data may flow (open connections only)
 *
 * Version 2 added the handshake frames and sealing; version 3 the dial-back verification of open hellos. Peers of
 * other versions are refused.
 */
export const FRAME_MAGIC = 0x5653;
export const FRAME_VERSION = 3;
export const FRAME_HEADER_BYTES = 8;
export const MESSAGE_PREFIX_BYTES = 4;
export const FLAG_HELLO = 0x01;
export const FLAG_CHALLENGE = 0x02;
export const FLAG_PROOF = 0x04;
export const FLAG_SEALED = 0x08;
export const FLAG_DIALBACK = 0x10;
export const FLAG_ECHO = 0x20;
export const FLAG_WELCOME = 0x40;
/** Flags this version understands; a frame with any other bit set is malformed. */
export const KNOWN_FLAGS =
  FLAG_HELLO | FLAG_CHALLENGE | FLAG_PROOF | FLAG_SEALED | FLAG_DIALBACK | FLAG_ECHO | FLAG_WELCOME;
/** An advertised address longer than this in a hello is malformed. */
export const MAX_HELLO_ADDRESS_BYTES = 512;
/** Hello modes: an open connection identifies itself only; a keyed one runs the challenge-response. */
export const HELLO_OPEN = 0;
export const HELLO_KEYED = 1;
/** Largest frame accepted before a connection is identified: a hello, challenge or proof and nothing more, so an
 *  anonymous socket can never make this process buffer a large frame. */
export const MAX_HANDSHAKE_FRAME_BYTES = 1024;

/** Writes a frame header into the first FRAME_HEADER_BYTES of `frame`. */
function writeHeader(frame: Buffer, flags: number, bodyBytes: number): void {
  frame.writeUInt16BE(FRAME_MAGIC, 0);
  frame.writeUInt8(FRAME_VERSION, 2);
  frame.writeUInt8(flags, 3);
  frame.writeUInt32BE(bodyBytes, 4);
}

/** The frame that opens a connection: it tells the acceptor which advertised address is dialing, and on a keyed
 *  connection carries the dialer's nonce for the challenge-response. */
export function encodeHelloFrame(advertisedAddress: string, dialerNonce?: Uint8Array): Buffer {
  const address = Buffer.from(advertisedAddress, 'utf8');
  if (address.length === 0 || address.length > MAX_HELLO_ADDRESS_BYTES) {
    throw new RangeError(
      `advertised address must be 1..${MAX_HELLO_ADDRESS_BYTES} bytes of UTF-8, got ${address.length}`,
    );
  }
  const mode = Buffer.from([dialerNonce === undefined ? HELLO_OPEN : HELLO_KEYED]);
  return encodeControlFrame(FLAG_HELLO, [mode, dialerNonce ?? Buffer.alloc(0), address]);
}

/** A handshake frame (hello, challenge or proof) from its body parts. */
export function encodeControlFrame(flag: number, parts: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  writeHeader(frame, flag, body.length);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** The header of a sealed frame whose encrypted body (tag included) is `sealedBytes` long. */
export function sealedHeader(sealedBytes: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  writeHeader(header, FLAG_SEALED, sealedBytes);
  return header;
}

/** A message to send: its bytes, or its parts in order (a small header and a large shared body need not be joined
 *  into a new array first: the frame they go into is the one copy). */
export type OutgoingMessage = Uint8Array | readonly Uint8Array[];

/** Length of a message in bytes, whole or in parts. */
export function messageBytes(message: OutgoingMessage): number {
  if (message instanceof Uint8Array) return message.length;
  let bytes = 0;
  for (const part of message) bytes += part.length;
  return bytes;
}

/** A message as one array (joining its parts), for the rare path that needs it whole. */
export function joinMessage(message: OutgoingMessage): Uint8Array {
  if (message instanceof Uint8Array) return message;
  const whole = new Uint8Array(messageBytes(message));
  let offset = 0;
  for (const part of message) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/** Parts at least this large are handed to the socket as they are (one gather write) instead of being copied into
 *  the frame: copying a packed data body once per member cost more than the write itself. */
export const GATHER_MIN_PART_BYTES = 4 * 1024;

/**
 * Packs messages into one data frame; the caller has already bounded their total size. The frame comes as the
 * chunks to write in order: small messages are copied into shared chunks, parts of at least GATHER_MIN_PART_BYTES
 * stay where they are (their owners never change them).
 */
export function encodeDataFrame(messages: readonly OutgoingMessage[]): Buffer[] {
  if (messages.length === 0) throw new RangeError('a data frame carries at least one message');
  let bodyBytes = 0;
  let copiedBytes = FRAME_HEADER_BYTES;
  for (const message of messages) {
    bodyBytes += batchedSizeBytes(message);
    copiedBytes += MESSAGE_PREFIX_BYTES;
    for (const part of partsOf(message)) if (part.length < GATHER_MIN_PART_BYTES) copiedBytes += part.length;
  }
  const copy = Buffer.allocUnsafe(copiedBytes);
  writeHeader(copy, 0, bodyBytes);
  const chunks: Buffer[] = [];
  let chunkStart = 0;
  let offset = FRAME_HEADER_BYTES;
  for (const message of messages) {
    copy.writeUInt32BE(messageBytes(message), offset);
    offset += MESSAGE_PREFIX_BYTES;
    for (const part of partsOf(message)) {
      if (part.length < GATHER_MIN_PART_BYTES) {
        copy.set(part, offset);
        offset += part.length;
        continue;
      }
      if (offset > chunkStart) chunks.push(copy.subarray(chunkStart, offset));
      chunkStart = offset;
      chunks.push(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    }
  }
  if (offset > chunkStart) chunks.push(copy.subarray(chunkStart, offset));
  return chunks;
}

function partsOf(message: OutgoingMessage): readonly Uint8Array[] {
  return message instanceof Uint8Array ? [message] : message;
}

/** Bytes a message adds to a batch body. */
export function batchedSizeBytes(message: OutgoingMessage): number {
  return MESSAGE_PREFIX_BYTES + messageBytes(message);
}

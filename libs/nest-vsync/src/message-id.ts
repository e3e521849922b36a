const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The vsync handler id of a message name: FNV-1a (32-bit) over the name's UTF-8 bytes. Every process derives the
 * same id from the same name without coordination, so senders and handlers only ever agree on names. The hash is
 * part of the wire contract: changing it is a breaking change for every running process.
 */
export function messageHandlerId(message: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of new TextEncoder().encode(message)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

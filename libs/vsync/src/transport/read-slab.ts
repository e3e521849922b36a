import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';

/** Bytes of one read slab: the socket reads into it back to back until less than MIN_READ_BYTES is left. */
export const READ_SLAB_BYTES = 1024 * 1024;
/** A read is offered at least this much room (the size of a stream read in Node), so reads stay large. */
export const MIN_READ_BYTES = 64 * 1024;

/**
 * Where a plain TCP socket's reads land: one after another in a large slab, instead of a fresh 64 KiB buffer per read
 * (what a readable stream allocates: a malloc, a resize and a free per read, and external memory that drives the
 * garbage collector). Consecutive reads are adjacent in memory, so a frame that spans them is whole where it lies
 * and FrameDecoder takes it as a view rather than copying it out of its chunks.
 *
 * What a chunk's views keep alive is the chunk's slab (at most READ_SLAB_BYTES): the protocol holds received
 * payloads only until they are stable, so a slab is freed soon after the socket moved on to the next.
 */
export class ReadSlab {
  /** Empty until the socket asks for room to read into. */
  private slab = Buffer.alloc(0);
  private used = 0;

  constructor(private readonly onChunk: (chunk: Buffer) => void) {}

  /** The socket option that makes reads land here (net.connect / new Socket `onread`). */
  readonly onread: OnReadOpts = {
    buffer: () => this.room(),
    callback: (bytes: number) => {
      const chunk = this.slab.subarray(this.used, this.used + bytes);
      this.used += bytes;
      this.onChunk(chunk);
      return true;
    },
  };

  /** The free part of the slab, or of a new one when too little is left. */
  private room(): Buffer {
    if (this.slab.length - this.used < MIN_READ_BYTES) {
      this.slab = Buffer.allocUnsafeSlow(READ_SLAB_BYTES);
      this.used = 0;
    }
    return this.slab.subarray(this.used);
  }
}

/**
 * Moves a socket a server accepted (created with pauseOnConnect, so nothing was read yet) onto a new Socket whose
 * reads go to `onread` (a ReadSlab's): Node offers `onread` only to sockets it is given at construction. The accepted
 * socket gives up its handle and is destroyed (which releases the server's count of it); the handle, and so the
 * connection, lives on in the new socket. Undefined, with the accepted socket resumed as a plain stream, if this Node
 * keeps the handle elsewhere.
 */
export function readIntoSlab(accepted: Socket, onread: OnReadOpts): Socket | undefined {
  const holder = accepted as unknown as { _handle: unknown };
  const handle = holder._handle;
  if (handle === null || typeof handle !== 'object') {
    accepted.resume();
    return undefined;
  }
  holder._handle = null;
  accepted.destroy();
  return new Socket({ handle, onread, readable: true, writable: true } as SocketConstructorOpts);
}

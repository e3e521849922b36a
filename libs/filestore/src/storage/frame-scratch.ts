/**
 * The buffer a replica frames each group commit into, reused for the next one: a commit's frames are written
 * (synchronously) before the next commit is framed, so nothing holds them after, and a fresh buffer of a few hundred
 * KB per append only fed the garbage collector. It grows to the largest commit seen, up to `maxKeptBytes`; a larger
 * need gets a buffer of its own, not kept.
 */
export class FrameScratch {
  private buffer: Buffer | undefined;

  constructor(private readonly maxKeptBytes: number) {
    if (!Number.isSafeInteger(maxKeptBytes) || maxKeptBytes < 1)
      throw new RangeError(`maxKeptBytes must be a positive integer, got ${maxKeptBytes}`);
  }

  /** A buffer of exactly `bytes` bytes, valid until the next call. */
  take(bytes: number): Buffer {
    if (bytes > this.maxKeptBytes) return Buffer.allocUnsafe(bytes);
    const held = this.buffer?.length ?? 0;
    if (held < bytes)
      this.buffer = Buffer.allocUnsafe(Math.min(this.maxKeptBytes, Math.max(bytes, 2 * held)));
    return this.buffer!.subarray(0, bytes);
  }
}

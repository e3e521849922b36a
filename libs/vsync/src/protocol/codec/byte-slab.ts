/**
 * Small byte arrays carved out of shared slabs. A fresh ArrayBuffer per message (what `new Uint8Array(n)` or `slice`
 * gives) costs a separately tracked backing store and GC pressure, several times the cost of copying a kilobyte;
 * a view into a slab costs one small object. A slab is freed once no array cut from it is referenced any more, so an
 * array kept alive pins at most its slab.
 */
class Slabs {
  private slab: ArrayBuffer;
  private used = 0;

  constructor(
    /** Bytes of one slab. */
    private readonly slabBytes: number,
    /** Larger arrays get their own buffer: a slab would hold too few of them to pay off. */
    private readonly maxSlabbedBytes: number,
    /** Whether the slabs are zero-filled: not needed where every array is written whole before it is read. */
    private readonly zeroed: boolean,
  ) {
    this.slab = this.arrayBuffer(slabBytes);
  }

  allocate(bytes: number): Uint8Array {
    if (bytes > this.maxSlabbedBytes) return new Uint8Array(this.arrayBuffer(bytes));
    if (this.used + bytes > this.slabBytes) {
      this.slab = this.arrayBuffer(this.slabBytes);
      this.used = 0;
    }
    const out = new Uint8Array(this.slab, this.used, bytes);
    // Keeps each array 8-byte aligned, as a separate allocation would be.
    this.used += align(bytes);
    return out;
  }

  /** A buffer of its own, exactly `bytes` long (allocUnsafeSlow is never pooled), zero-filled only if asked. */
  private arrayBuffer(bytes: number): ArrayBuffer {
    return this.zeroed ? new ArrayBuffer(bytes) : Buffer.allocUnsafeSlow(bytes).buffer;
  }

  /** The first `bytes` bytes of `array`, the latest allocation, giving the rest back to the slab. */
  shrinkLast(array: Uint8Array, bytes: number): Uint8Array {
    const last = array.buffer === this.slab && array.byteOffset + align(array.length) === this.used;
    if (last) this.used = array.byteOffset + align(bytes);
    return array.subarray(0, bytes);
  }
}

const align = (bytes: number): number => (bytes + 7) & ~7;

/** Small arrays, some of which the application may keep (a copied argument pins at most 64 KiB). */
const small = new Slabs(64 * 1024, 8 * 1024, true);
/** Encoded messages and Group call payloads: the protocol holds them only until acknowledged or stable (a handler
 *  sees a payload only as views it does not keep), so larger slabs waste nothing and spare a zero-filled allocation
 *  per packed data message. Not zero-filled: each array is written whole by its encoder before anyone reads it, and
 *  filling a megabyte per thousand messages of 1 KB was a twentieth of a loaded member's time. */
const encoded = new Slabs(1024 * 1024, 128 * 1024, false);

/** An array of `bytes` bytes that no one else uses (its contents are unspecified until written). */
export function allocateBytes(bytes: number): Uint8Array {
  return small.allocate(bytes);
}

/** Like allocateBytes, for an encoded message (held by the protocol, not the application). */
export function allocateEncoded(bytes: number): Uint8Array {
  return encoded.allocate(bytes);
}

/** An encoded message written into an allocateEncoded array sized for the most it could take: the first `bytes`
 *  bytes, the unused tail given back when no allocation came between. */
export function shrinkEncoded(array: Uint8Array, bytes: number): Uint8Array {
  return encoded.shrinkLast(array, bytes);
}

/** A private copy of `bytes`. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = allocateBytes(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Small byte arrays carved out of shared slabs. A fresh ArrayBuffer per message (what `new Uint8Array(n)` or `slice`
 * gives) costs a separately tracked backing store and GC pressure, several times the cost of copying a kilobyte;
 * a view into a slab costs one small object. A slab is freed once no array cut from it is referenced any more, so an
 * array kept alive pins at most SLAB_BYTES.
 */
const SLAB_BYTES = 64 * 1024;
/** Larger arrays get their own buffer: a slab would hold too few of them to pay off. */
const MAX_SLABBED_BYTES = SLAB_BYTES / 8;

let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/** An array of `bytes` bytes that no one else uses (its contents are unspecified until written). */
export function allocateBytes(bytes: number): Uint8Array {
  if (bytes > MAX_SLABBED_BYTES) return new Uint8Array(bytes);
  if (slabUsed + bytes > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + bytes);
  // Keeps each array 8-byte aligned, as a separate allocation would be.
  slabUsed += (bytes + 7) & ~7;
  return out;
}

/** A private copy of `bytes`. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = allocateBytes(bytes.length);
  out.set(bytes);
  return out;
}

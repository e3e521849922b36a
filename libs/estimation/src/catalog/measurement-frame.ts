import type { DecodedSnapshot } from '../wire/snapshot-codec';
import type { MeasurementLayout } from './measurement-layout';

/** One snapshot's values laid out by measurement row, in per unit. */
export interface MeasurementFrame {
  readonly zRe: Float64Array;
  readonly zIm: Float64Array;
  /** 1 where the row has a finite value in this snapshot. */
  readonly present: Uint8Array;
  /** PMUs of the snapshot the layout does not know, or whose channel count differs from the catalog's. */
  readonly unboundPmus: number;
}

/**
 * Places a snapshot's phasors on the layout's rows. A PMU whose channel count
 * disagrees with the catalog (its configuration changed and the new catalog is
 * not here yet) is left out whole rather than matched channel by channel.
 */
export function measurementFrame(layout: MeasurementLayout, s: DecodedSnapshot): MeasurementFrame {
  const m = layout.set.count;
  const zRe = new Float64Array(m);
  const zIm = new Float64Array(m);
  const present = new Uint8Array(m);
  let unbound = 0;
  for (let p = 0; p < s.idcodes.length; p += 1) {
    const binding = layout.pmus.get(s.idcodes[p]);
    const first = s.phasorStart[p];
    const count = s.phasorStart[p + 1] - first;
    if (binding === undefined || binding.rows.length !== count) {
      unbound += 1;
      continue;
    }
    for (let k = 0; k < count; k += 1) {
      const row = binding.rows[k];
      const re = s.phasors[2 * (first + k)];
      const im = s.phasors[2 * (first + k) + 1];
      if (row < 0 || !Number.isFinite(re) || !Number.isFinite(im)) continue;
      zRe[row] = re * binding.scaleToPu[k];
      zIm[row] = im * binding.scaleToPu[k];
      present[row] = 1;
    }
  }
  return { zRe, zIm, present, unboundPmus: unbound };
}

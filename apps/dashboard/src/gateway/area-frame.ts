import type { GridFrame } from '../live/grid-frame';

/** A frame cut down to one area's buses: what a browser in that area's room receives. */
export interface AreaFrame extends Omit<GridFrame, 'vm' | 'va' | 'observable' | 'truth'> {
  readonly area: number | 'all';
  /** Dense indices of the buses below (every bus for 'all'). */
  readonly buses: number[] | null;
  readonly vm: number[];
  readonly va: number[];
  readonly observable: number[];
  readonly truth: { readonly vm: number[]; readonly va: number[]; readonly maxErrorPu: number } | null;
}

/** The whole frame for 'all'; otherwise only the buses the estimates report as owned by the area. */
export function areaFrame(frame: GridFrame, area: number | 'all', busArea: readonly number[]): AreaFrame {
  if (area === 'all') return { ...frame, area, buses: null };
  const buses: number[] = [];
  for (let b = 0; b < busArea.length; b += 1) if (busArea[b] === area) buses.push(b);
  const pick = (values: readonly number[]): number[] => buses.map((b) => values[b]);
  const truth =
    frame.truth === null ? null : { ...frame.truth, vm: pick(frame.truth.vm), va: pick(frame.truth.va) };
  return {
    ...frame,
    area,
    buses,
    vm: pick(frame.vm),
    va: pick(frame.va),
    observable: pick(frame.observable),
    truth,
  };
}

import type { DigitalWord, PmuConfig } from '@gridcloud/c37118';
import type { SimulatedPmu } from './pmu-channels';

/** Phasor encodings C37.118 allows: rectangular or polar, 32-bit float or 16-bit integer. */
export const PHASOR_FORMATS = ['rect-float', 'polar-float', 'rect-int16', 'polar-int16'] as const;
export type PhasorFormat = (typeof PHASOR_FORMATS)[number];

/** What one stream puts in each PMU block besides its phasors and frequency. */
export interface StreamFormat {
  readonly phasors: PhasorFormat;
  /** Two analog channels per current channel: MW and MVAr into the branch at the PMU's end. */
  readonly linePower: boolean;
  /** Digital status words: one bit per current channel, 1 while that branch's breaker is closed. */
  readonly breakers: boolean;
}

/** What pmu-sim sent before formats were selectable: float rectangular phasors, nothing else. */
export const DEFAULT_STREAM_FORMAT: StreamFormat = {
  phasors: 'rect-float',
  linePower: false,
  breakers: false,
};

/**
 * PHUNIT for int16 phasors, in 10^-5 per count. Phasors are in per unit, so
 * a voltage at 5 (5e-5 pu per count) reaches 1.64 pu rectangular and 3.28 pu
 * polar, and a current at 50 reaches 16 pu (1,600 MVA on a 100 MVA base),
 * more than any branch of the vendored cases carries; the step is well under
 * the default noise (0.002 pu).
 */
export const INT16_VOLTAGE_PHUNIT = 5;
export const INT16_CURRENT_PHUNIT = 50;
/** int16 analogs count whole MW and MVAr (ANUNIT 1): +-32,767 MW. */
export const INT16_ANUNIT = 1;
/** ANUNIT type 1 (RMS): the nearest of the three the standard names to a power reading. */
const ANALOG_KIND_RMS = 1;
export const BITS_PER_WORD = 16;

/**
 * Parses `PHASORS[+line-power][+breakers]`, e.g. `polar-int16+line-power+breakers`;
 * a string naming what was expected when the text is not one.
 */
export function parseStreamFormat(text: string): StreamFormat | { expected: string } {
  const [phasors, ...extras] = text.split('+');
  const expected = `PHASORS[+line-power][+breakers] with PHASORS one of ${PHASOR_FORMATS.join(', ')}`;
  if (!(PHASOR_FORMATS as readonly string[]).includes(phasors)) return { expected };
  if (extras.some((e) => e !== 'line-power' && e !== 'breakers') || new Set(extras).size !== extras.length)
    return { expected };
  return {
    phasors: phasors as PhasorFormat,
    linePower: extras.includes('line-power'),
    breakers: extras.includes('breakers'),
  };
}

export function formatName(f: StreamFormat): string {
  return [f.phasors, ...(f.linePower ? ['line-power'] : []), ...(f.breakers ? ['breakers'] : [])].join('+');
}

/** The current channels of a PMU, in channel order: what its analogs and breaker bits follow. */
export function currentChannels(pmu: SimulatedPmu): SimulatedPmu['channels'] {
  return pmu.channels.filter((c) => c.kind === 'current');
}

/** Analog channels of one PMU block under `format`. */
export function analogCount(pmu: SimulatedPmu, format: StreamFormat): number {
  return format.linePower ? 2 * currentChannels(pmu).length : 0;
}

/** Digital words of one PMU block under `format` (at least one when breakers are on, even with no branch). */
export function digitalWordCount(pmu: SimulatedPmu, format: StreamFormat): number {
  return format.breakers ? Math.max(1, Math.ceil(currentChannels(pmu).length / BITS_PER_WORD)) : 0;
}

/**
 * The CFG-2 description of one PMU block: channel names, FORMAT, PHUNIT per
 * kind of phasor, ANUNIT, and per breaker word the branch each bit follows
 * (`BRK#<branch row>`, spare bits unnamed and not valid).
 */
export function pmuConfigOf(
  pmu: SimulatedPmu,
  format: StreamFormat,
  cfgcnt: number,
  freqFloat: boolean,
): PmuConfig {
  const float = format.phasors.endsWith('float');
  const currents = currentChannels(pmu);
  return {
    stationName: pmu.stationName,
    idcode: pmu.idcode,
    format: { freqFloat, polar: format.phasors.startsWith('polar'), phasorFloat: float, analogFloat: float },
    phasors: pmu.channels.map((ch) => ({
      name: ch.name.slice(0, 16),
      isCurrent: ch.kind === 'current',
      phunit: ch.kind === 'current' ? INT16_CURRENT_PHUNIT : INT16_VOLTAGE_PHUNIT,
    })),
    analogs: format.linePower
      ? currents.flatMap((c) => [
          { name: `MW#${c.branch}`, kind: ANALOG_KIND_RMS, anunit: INT16_ANUNIT },
          { name: `MVAR#${c.branch}`, kind: ANALOG_KIND_RMS, anunit: INT16_ANUNIT },
        ])
      : [],
    digitals: Array.from({ length: digitalWordCount(pmu, format) }, (_, w) => breakerWord(currents, w)),
    nominalFrequencyHz: 60,
    cfgcnt,
  };
}

/** Breaker word `w`: used bits valid and normally 1 (closed), spare bits unnamed and not valid. */
function breakerWord(currents: SimulatedPmu['channels'], w: number): DigitalWord {
  const used = Math.max(0, Math.min(BITS_PER_WORD, currents.length - w * BITS_PER_WORD));
  const mask = used === BITS_PER_WORD ? 0xffff : (1 << used) - 1;
  return {
    names: Array.from({ length: BITS_PER_WORD }, (_, b) =>
      b < used ? `BRK#${currents[w * BITS_PER_WORD + b].branch}` : '',
    ),
    normalMask: mask,
    validMask: mask,
  };
}

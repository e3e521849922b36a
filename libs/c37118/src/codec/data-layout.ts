import { CHK_BYTES, COMMON_HEADER_BYTES, type AnyConfigFrame, type DataFormat } from './frame-types';

export const FORMAT_POLAR = 1;
export const FORMAT_PHASOR_FLOAT = 2;
export const FORMAT_ANALOG_FLOAT = 4;
export const FORMAT_FREQ_FLOAT = 8;

/**
 * Everything the data-frame decoder needs from a configuration, compiled
 * once per CFG frame into flat typed arrays so the per-frame loop touches
 * no objects: per-PMU format bits and channel ranges, per-channel scales and
 * the exact FRAMESIZE a matching data frame must have.
 */
export class DataLayout {
  readonly numPmu: number;
  readonly timeBase: number;
  readonly frameSize: number;
  readonly formats: Uint8Array;
  /** Channel index ranges: PMU i owns [start[i], start[i + 1]). */
  readonly phasorStart: Uint32Array;
  readonly analogStart: Uint32Array;
  readonly digitalStart: Uint32Array;
  /** Multiplier from int16 phasor units to volts or amperes (1e-5 * PHUNIT, or CFG-3 scale). */
  readonly phasorScale: Float64Array;
  readonly analogScale: Float64Array;
  readonly analogOffset: Float64Array;
  /**
   * CFG-3 PHSCALE angle adjustments as (cos, sin) per phasor, applied to
   * every phasor whatever its format; undefined when every adjustment is 0
   * (always for CFG-1/2), so the data path does no extra work.
   */
  readonly phasorRotation: Float64Array | undefined;
  readonly nominalHz: Float64Array;

  constructor(readonly config: AnyConfigFrame) {
    const pmus = config.pmus;
    this.numPmu = pmus.length;
    this.timeBase = config.timeBase;
    this.formats = new Uint8Array(pmus.length);
    this.phasorStart = new Uint32Array(pmus.length + 1);
    this.analogStart = new Uint32Array(pmus.length + 1);
    this.digitalStart = new Uint32Array(pmus.length + 1);
    this.nominalHz = new Float64Array(pmus.length);
    let size = COMMON_HEADER_BYTES + CHK_BYTES;
    pmus.forEach((p, i) => {
      this.formats[i] = formatBits(p.format);
      this.phasorStart[i + 1] = this.phasorStart[i] + p.phasors.length;
      this.analogStart[i + 1] = this.analogStart[i] + p.analogs.length;
      this.digitalStart[i + 1] = this.digitalStart[i] + p.digitals.length;
      this.nominalHz[i] = p.nominalFrequencyHz;
      size += pmuBlockBytes(p.format, p.phasors.length, p.analogs.length, p.digitals.length);
    });
    this.frameSize = size;
    this.phasorScale = new Float64Array(this.phasorStart[pmus.length]);
    this.analogScale = new Float64Array(this.analogStart[pmus.length]);
    this.analogOffset = new Float64Array(this.analogStart[pmus.length]);
    this.fillScales();
    this.phasorRotation = rotationOf(config);
  }

  get totalPhasors(): number {
    return this.phasorStart[this.numPmu];
  }

  get totalAnalogs(): number {
    return this.analogStart[this.numPmu];
  }

  get totalDigitals(): number {
    return this.digitalStart[this.numPmu];
  }

  private fillScales(): void {
    const c = this.config;
    let ph = 0;
    let an = 0;
    if (c.kind === 'cfg3') {
      for (const p of c.pmus) {
        for (const ch of p.phasors) this.phasorScale[ph++] = ch.scale;
        for (const ch of p.analogs) {
          this.analogScale[an] = ch.scale;
          this.analogOffset[an++] = ch.offset;
        }
      }
      return;
    }
    for (const p of c.pmus) {
      for (const ch of p.phasors) this.phasorScale[ph++] = ch.phunit * 1e-5;
      for (const ch of p.analogs) this.analogScale[an++] = ch.anunit;
    }
  }
}

function rotationOf(config: AnyConfigFrame): Float64Array | undefined {
  if (config.kind !== 'cfg3') return undefined;
  const angles = config.pmus.flatMap((p) => p.phasors.map((ph) => ph.angleOffsetRad));
  if (angles.every((a) => a === 0 || !Number.isFinite(a))) return undefined;
  const out = new Float64Array(2 * angles.length);
  angles.forEach((a, i) => {
    // A non-finite adjustment cannot be applied; the phasor is left as measured.
    const angle = Number.isFinite(a) ? a : 0;
    out[2 * i] = Math.cos(angle);
    out[2 * i + 1] = Math.sin(angle);
  });
  return out;
}

export function formatBits(f: DataFormat): number {
  return (
    (f.polar ? FORMAT_POLAR : 0) |
    (f.phasorFloat ? FORMAT_PHASOR_FLOAT : 0) |
    (f.analogFloat ? FORMAT_ANALOG_FLOAT : 0) |
    (f.freqFloat ? FORMAT_FREQ_FLOAT : 0)
  );
}

/** STAT, phasors, FREQ, DFREQ, analogs, digitals of one PMU. */
export function pmuBlockBytes(f: DataFormat, phasors: number, analogs: number, digitals: number): number {
  return (
    2 +
    phasors * (f.phasorFloat ? 8 : 4) +
    (f.freqFloat ? 8 : 4) +
    analogs * (f.analogFloat ? 4 : 2) +
    digitals * 2
  );
}

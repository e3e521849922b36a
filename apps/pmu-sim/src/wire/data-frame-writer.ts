import {
  CHK_BYTES,
  COMMON_HEADER_BYTES,
  crcCcitt,
  DataLayout,
  FRAME_TYPE_CODE,
  type ConfigFrame,
} from '@gridcloud/c37118';

/** FORMAT bits (C37.118.2 table 9): polar, phasors float, analogs float, FREQ/DFREQ float. */
const FORMAT_POLAR = 1;
const FORMAT_PHASOR_FLOAT = 2;
const FORMAT_ANALOG_FLOAT = 4;
const FORMAT_FREQ_FLOAT = 8;
/** int16 angles are radians x 10^4. */
const INT16_ANGLE_PER_RAD = 1e4;

function clampInt16(x: number): number {
  return Math.max(-32_767, Math.min(32_767, Math.round(x)));
}

function clampUint16(x: number): number {
  return Math.max(0, Math.min(65_535, Math.round(x)));
}

/** The values of one reporting instant for every PMU of a stream, in the order of its configuration. */
export interface FrameValues {
  /** Per PMU: STAT. */
  readonly stat: ArrayLike<number>;
  /** (re, im) pairs of every phasor channel of every PMU, in configuration units (NaN: no value). */
  readonly phasors: ArrayLike<number>;
  /** Per PMU: frequency in Hz and ROCOF in Hz/s. */
  readonly freqHz: ArrayLike<number>;
  readonly rocof: ArrayLike<number>;
  /** Every analog channel of every PMU, in engineering units. */
  readonly analogs: ArrayLike<number>;
  /** Every 16-bit digital status word of every PMU. */
  readonly digitals: ArrayLike<number>;
}

/**
 * Writes data frames for any configuration (rectangular or polar, float or
 * int16 phasors and analogs, digital words) straight into bytes. It is the
 * simulator's hot path (thousands of PMUs at 60 frames/s), where building an
 * object frame per PMU per instant would dominate; a spec checks its output
 * against the codec's decoder for every format. int16 values are scaled by
 * the configuration's PHUNIT and ANUNIT and clamped to what 16 bits hold;
 * a value that is not a number (a dropped-out PMU) is written as 0 with its
 * STAT saying the block is unusable.
 */
export class DataFrameWriter {
  readonly frameSize: number;
  private readonly layout: DataLayout;
  /** Per phasor channel: counts per unit of value for int16 (1 / (PHUNIT x 1e-5)). */
  private readonly phasorCounts: Float64Array;
  private readonly analogCounts: Float64Array;

  constructor(readonly config: ConfigFrame) {
    this.layout = new DataLayout(config);
    this.frameSize = this.layout.frameSize;
    this.phasorCounts = this.layout.phasorScale.map((s) => (s === 0 ? 0 : 1 / s));
    this.analogCounts = this.layout.analogScale.map((s) => (s === 0 ? 0 : 1 / s));
  }

  /** A new frame; `timeFlags` is FRACSEC bits 31-24. */
  write(soc: number, fracsec: number, timeFlags: number, values: FrameValues): Uint8Array {
    const bytes = new Uint8Array(this.frameSize);
    const v = new DataView(bytes.buffer);
    v.setUint8(0, 0xaa);
    v.setUint8(1, (FRAME_TYPE_CODE.data << 4) | this.config.version);
    v.setUint16(2, this.frameSize);
    v.setUint16(4, this.config.idcode);
    v.setUint32(6, soc);
    v.setUint32(10, ((timeFlags << 24) >>> 0) + fracsec);
    let at = COMMON_HEADER_BYTES;
    const l = this.layout;
    for (let p = 0; p < l.numPmu; p += 1) {
      v.setUint16(at, values.stat[p]);
      at = this.writePhasors(v, at + 2, p, values.phasors);
      at = this.writeFrequency(v, at, p, values.freqHz[p], values.rocof[p]);
      at = this.writeAnalogs(v, at, p, values.analogs);
      for (let d = l.digitalStart[p]; d < l.digitalStart[p + 1]; d += 1, at += 2)
        v.setUint16(at, values.digitals[d]);
    }
    if (at !== this.frameSize - CHK_BYTES)
      throw new Error(`invariant: wrote ${at + CHK_BYTES} bytes of a ${this.frameSize}-byte frame`);
    v.setUint16(at, crcCcitt(bytes, 0, at));
    return bytes;
  }

  private writePhasors(v: DataView, at: number, pmu: number, phasors: ArrayLike<number>): number {
    const l = this.layout;
    const format = l.formats[pmu];
    const polar = (format & FORMAT_POLAR) !== 0;
    if ((format & FORMAT_PHASOR_FLOAT) !== 0 && !polar) {
      // The default format, thousands of times per instant: nothing to convert.
      for (let c = l.phasorStart[pmu]; c < l.phasorStart[pmu + 1]; c += 1, at += 8) {
        v.setFloat32(at, phasors[2 * c]);
        v.setFloat32(at + 4, phasors[2 * c + 1]);
      }
      return at;
    }
    for (let c = l.phasorStart[pmu]; c < l.phasorStart[pmu + 1]; c += 1) {
      const re = phasors[2 * c];
      const im = phasors[2 * c + 1];
      const a = polar ? Math.hypot(re, im) : re;
      const b = polar ? Math.atan2(im, re) : im;
      if (format & FORMAT_PHASOR_FLOAT) {
        v.setFloat32(at, a);
        v.setFloat32(at + 4, b);
        at += 8;
        continue;
      }
      const counts = this.phasorCounts[c];
      if (!Number.isFinite(a) || !Number.isFinite(b)) {
        v.setInt32(at, 0);
      } else if (polar) {
        // Magnitude is unsigned in the polar int16 format; the angle (within +-pi) always fits.
        v.setUint16(at, clampUint16(a * counts));
        v.setInt16(at + 2, clampInt16(b * INT16_ANGLE_PER_RAD));
      } else {
        v.setInt16(at, clampInt16(a * counts));
        v.setInt16(at + 2, clampInt16(b * counts));
      }
      at += 4;
    }
    return at;
  }

  /** FREQ/DFREQ as float (absolute Hz, Hz/s) or int16 (mHz from nominal, Hz/s x 100), as the PMU's FORMAT says. */
  private writeFrequency(v: DataView, at: number, pmu: number, freqHz: number, rocof: number): number {
    if (this.layout.formats[pmu] & FORMAT_FREQ_FLOAT) {
      v.setFloat32(at, freqHz);
      v.setFloat32(at + 4, rocof);
      return at + 8;
    }
    v.setInt16(at, Number.isFinite(freqHz) ? clampInt16((freqHz - this.layout.nominalHz[pmu]) * 1000) : 0);
    v.setInt16(at + 2, Number.isFinite(rocof) ? clampInt16(rocof * 100) : 0);
    return at + 4;
  }

  private writeAnalogs(v: DataView, at: number, pmu: number, analogs: ArrayLike<number>): number {
    const l = this.layout;
    const float = (l.formats[pmu] & FORMAT_ANALOG_FLOAT) !== 0;
    for (let a = l.analogStart[pmu]; a < l.analogStart[pmu + 1]; a += 1) {
      const x = analogs[a];
      if (float) {
        v.setFloat32(at, x);
        at += 4;
      } else {
        v.setInt16(at, Number.isFinite(x) ? clampInt16(x * this.analogCounts[a]) : 0);
        at += 2;
      }
    }
    return at;
  }
}

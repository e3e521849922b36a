import {
  CHK_BYTES,
  COMMON_HEADER_BYTES,
  crcCcitt,
  DataLayout,
  FRAME_TYPE_CODE,
  type ConfigFrame,
} from '@gridcloud/c37118';

/** FORMAT bit 3: FREQ/DFREQ as float. */
const FORMAT_FREQ_FLOAT_BIT = 8;

function clampInt16(x: number): number {
  return Math.max(-32_767, Math.min(32_767, Math.round(x)));
}

/**
 * Writes data frames for a configuration whose PMUs all use float32,
 * rectangular phasors (FREQ/DFREQ float or int16), with no analogs or digitals,
 * straight into bytes. It is the simulator's hot path (thousands of PMUs at
 * 60 frames/s), where building an object frame per PMU per instant would
 * dominate; a spec checks its output against the codec's decoder.
 */
export class FloatFrameWriter {
  readonly frameSize: number;
  private readonly layout: DataLayout;

  constructor(readonly config: ConfigFrame) {
    this.layout = new DataLayout(config);
    for (const p of config.pmus) {
      const f = p.format;
      if (!f.phasorFloat || f.polar || p.analogs.length > 0 || p.digitals.length > 0) {
        throw new Error(
          `invariant: FloatFrameWriter needs float rectangular phasors and no analogs or digitals (PMU ${p.idcode})`,
        );
      }
    }
    this.frameSize = this.layout.frameSize;
  }

  /**
   * A new frame. `phasors` holds (re, im) pairs for all PMUs in order; `stat`,
   * `freqHz` and `rocof` one entry per PMU; `timeFlags` is FRACSEC bits 31-24.
   */
  write(
    soc: number,
    fracsec: number,
    timeFlags: number,
    stat: ArrayLike<number>,
    phasors: ArrayLike<number>,
    freqHz: ArrayLike<number>,
    rocof: ArrayLike<number>,
  ): Uint8Array {
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
      v.setUint16(at, stat[p]);
      at += 2;
      for (let c = l.phasorStart[p]; c < l.phasorStart[p + 1]; c += 1, at += 8) {
        v.setFloat32(at, phasors[2 * c]);
        v.setFloat32(at + 4, phasors[2 * c + 1]);
      }
      at = this.writeFrequency(v, at, p, freqHz[p], rocof[p]);
    }
    if (at !== this.frameSize - CHK_BYTES)
      throw new Error(`invariant: wrote ${at + CHK_BYTES} bytes of a ${this.frameSize}-byte frame`);
    v.setUint16(at, crcCcitt(bytes, 0, at));
    return bytes;
  }

  /** FREQ/DFREQ as float (absolute Hz, Hz/s) or int16 (mHz from nominal, Hz/s x 100), as the PMU's FORMAT says. */
  private writeFrequency(v: DataView, at: number, pmu: number, freqHz: number, rocof: number): number {
    if (this.layout.formats[pmu] & FORMAT_FREQ_FLOAT_BIT) {
      v.setFloat32(at, freqHz);
      v.setFloat32(at + 4, rocof);
      return at + 8;
    }
    // A dropped-out PMU reports NaN, which int16 cannot carry: 0 with its STAT saying the value is unusable.
    v.setInt16(at, Number.isFinite(freqHz) ? clampInt16((freqHz - this.layout.nominalHz[pmu]) * 1000) : 0);
    v.setInt16(at + 2, Number.isFinite(rocof) ? clampInt16(rocof * 100) : 0);
    return at + 4;
  }
}

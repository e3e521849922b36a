import { frameTimeSeconds } from './common';
import { COMMON_HEADER_BYTES } from './frame-types';
import {
  FORMAT_ANALOG_FLOAT,
  FORMAT_FREQ_FLOAT,
  FORMAT_PHASOR_FLOAT,
  FORMAT_POLAR,
  type DataLayout,
} from './data-layout';

/** cos and sin of every int16 angle (radians x 1e-4), indexed by its 16-bit pattern. */
const COS_INT16 = new Float64Array(65536);
const SIN_INT16 = new Float64Array(65536);
for (let k = 0; k < 65536; k += 1) {
  const angle = ((k << 16) >> 16) * 1e-4;
  COS_INT16[k] = Math.cos(angle);
  SIN_INT16[k] = Math.sin(angle);
}

/**
 * A reusable, allocation-free decoding of data frames for one layout. The
 * stream decoder overwrites it for every frame, so a handler that keeps
 * values must copy them. Values are in engineering units: phasors as
 * rectangular (re, im) pairs in volts or amperes whatever the wire format,
 * with a CFG-3's PHSCALE applied (its scale to int16 phasors, its angle
 * adjustment to every phasor), FREQ as absolute hertz, DFREQ in hertz per
 * second, int16 analogs scaled (ANUNIT, or a CFG-3's ANSCALE scale and offset).
 */
export class DataFrameView {
  version = 0;
  idcode = 0;
  soc = 0;
  fracsec = 0;
  /** FRACSEC bits 31-24 (leap-second flags and message time quality code). */
  timeFlags = 0;
  readonly stat: Uint16Array;
  readonly phasors: Float64Array;
  readonly freq: Float64Array;
  readonly dfreq: Float64Array;
  readonly analogs: Float64Array;
  readonly digitals: Uint16Array;
  /** Where the last decoded frame lies, for callers that forward raw frames (see `frameBytes`). */
  private source: Uint8Array = new Uint8Array(0);
  private sourceOffset = 0;
  private view: DataView | undefined;
  private viewBuffer: ArrayBufferLike | undefined;

  constructor(readonly layout: DataLayout) {
    this.stat = new Uint16Array(layout.numPmu);
    this.phasors = new Float64Array(2 * layout.totalPhasors);
    this.freq = new Float64Array(layout.numPmu);
    this.dfreq = new Float64Array(layout.numPmu);
    this.analogs = new Float64Array(layout.totalAnalogs);
    this.digitals = new Uint16Array(layout.totalDigitals);
  }

  /** Timestamp in UNIX seconds. */
  get time(): number {
    return frameTimeSeconds(this.soc, this.fracsec, this.layout.timeBase);
  }

  /** Message time quality code, FRACSEC bits 27-24. */
  get timeQualityCode(): number {
    return this.timeFlags & 0x0f;
  }

  /** A copy of the last decoded frame (e.g. to forward it to Kafka); call it inside onData. Allocates, unlike the fields. */
  frameBytes(): Uint8Array {
    return this.source.slice(this.sourceOffset, this.sourceOffset + this.layout.frameSize);
  }

  /**
   * Decodes the data frame at bytes[start]. The caller has checked SYNC,
   * CRC and that FRAMESIZE equals `layout.frameSize`.
   */
  decode(bytes: Uint8Array, start: number): void {
    if (start < 0 || start + this.layout.frameSize > bytes.length) {
      throw new RangeError(
        `invariant: a ${this.layout.frameSize}-byte data frame at ${start} overruns ${bytes.length} bytes`,
      );
    }
    const v = this.dataViewFor(bytes);
    this.source = bytes;
    this.sourceOffset = start;
    let at = bytes.byteOffset + start;
    this.version = bytes[start + 1] & 0x0f;
    this.idcode = v.getUint16(at + 4);
    this.soc = v.getUint32(at + 6);
    this.timeFlags = bytes[start + 10];
    this.fracsec = v.getUint32(at + 10) & 0xffffff;
    at += COMMON_HEADER_BYTES;
    const layout = this.layout;
    for (let pmu = 0; pmu < layout.numPmu; pmu += 1) at = this.decodePmu(v, at, pmu, layout.formats[pmu]);
  }

  private decodePmu(v: DataView, at: number, pmu: number, format: number): number {
    const layout = this.layout;
    this.stat[pmu] = v.getUint16(at);
    at += 2;
    at = this.decodePhasors(v, at, layout.phasorStart[pmu], layout.phasorStart[pmu + 1], format);
    if (layout.phasorRotation !== undefined)
      this.rotate(layout.phasorRotation, layout.phasorStart[pmu], layout.phasorStart[pmu + 1]);
    if (format & FORMAT_FREQ_FLOAT) {
      this.freq[pmu] = v.getFloat32(at);
      this.dfreq[pmu] = v.getFloat32(at + 4);
      at += 8;
    } else {
      this.freq[pmu] = layout.nominalHz[pmu] + v.getInt16(at) / 1000;
      this.dfreq[pmu] = v.getInt16(at + 2) / 100;
      at += 4;
    }
    const a1 = layout.analogStart[pmu + 1];
    if (format & FORMAT_ANALOG_FLOAT) {
      for (let a = layout.analogStart[pmu]; a < a1; a += 1, at += 4) this.analogs[a] = v.getFloat32(at);
    } else {
      for (let a = layout.analogStart[pmu]; a < a1; a += 1, at += 2)
        this.analogs[a] = v.getInt16(at) * layout.analogScale[a] + layout.analogOffset[a];
    }
    const d1 = layout.digitalStart[pmu + 1];
    for (let d = layout.digitalStart[pmu]; d < d1; d += 1, at += 2) this.digitals[d] = v.getUint16(at);
    return at;
  }

  private decodePhasors(v: DataView, at: number, p0: number, p1: number, format: number): number {
    const out = this.phasors;
    const scale = this.layout.phasorScale;
    const polar = (format & FORMAT_POLAR) !== 0;
    for (let p = p0; p < p1; p += 1) {
      let a: number;
      let b: number;
      if (format & FORMAT_PHASOR_FLOAT) {
        a = v.getFloat32(at);
        b = v.getFloat32(at + 4);
        at += 8;
      } else if (polar) {
        // int16 angles take only 65,536 values: look the rotation up instead of calling cos/sin.
        const m = v.getUint16(at) * scale[p];
        const k = v.getUint16(at + 2);
        out[2 * p] = m * COS_INT16[k];
        out[2 * p + 1] = m * SIN_INT16[k];
        at += 4;
        continue;
      } else {
        a = v.getInt16(at) * scale[p];
        b = v.getInt16(at + 2) * scale[p];
        at += 4;
      }
      if (polar) {
        out[2 * p] = a * Math.cos(b);
        out[2 * p + 1] = a * Math.sin(b);
      } else {
        out[2 * p] = a;
        out[2 * p + 1] = b;
      }
    }
    return at;
  }

  /** CFG-3 angle adjustment: each phasor turned by its PHSCALE angle (added to its angle). */
  private rotate(rotation: Float64Array, p0: number, p1: number): void {
    const out = this.phasors;
    for (let p = p0; p < p1; p += 1) {
      const c = rotation[2 * p];
      const s = rotation[2 * p + 1];
      const re = out[2 * p];
      const im = out[2 * p + 1];
      out[2 * p] = re * c - im * s;
      out[2 * p + 1] = re * s + im * c;
    }
  }

  private dataViewFor(bytes: Uint8Array): DataView {
    // One DataView per underlying buffer, not per frame: a chunk of many
    // frames (or a benchmark loop over one buffer) allocates nothing.
    if (this.view === undefined || this.viewBuffer !== bytes.buffer) {
      this.view = new DataView(bytes.buffer);
      this.viewBuffer = bytes.buffer;
    }
    return this.view;
  }
}

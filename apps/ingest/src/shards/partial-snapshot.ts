import type { ReleaseReason } from '@gridcloud/pdc';
import { FrameSample, type PmuSample } from '../pipeline/pmu-sample';
import type { Snapshot } from '../sinks/snapshot-sink';

const REASONS: readonly ReleaseReason[] = ['complete', 'window', 'overflow', 'flush'];
const HEADER_WORDS = 12;

/** Element counts of every section, from which the byte layout follows. */
interface Shape {
  readonly pmus: number;
  readonly phasorValues: number;
  readonly analogs: number;
  readonly digitals: number;
  readonly missing: number;
}

/**
 * One shard's aligned snapshot as columns in a single ArrayBuffer, so a worker
 * hands it to the main thread by transfer (no copy, no object per sample):
 * a float64 header, then float64 sections (freq, rocof, arrival, phasors,
 * analogs), uint32 sections (soc, fracsec, phasor/analog/digital starts) and
 * uint16 sections (idcode, stream, stat, time quality, digitals, missing),
 * each naturally aligned because the wider ones come first.
 */
export class PartialSnapshot {
  readonly slot: number;
  readonly timeSec: number;
  readonly reason: ReleaseReason;
  readonly firstArrivalMs: number;
  readonly lastArrivalMs: number;
  readonly releasedAtMs: number;
  readonly skippedSlotsBefore: number;
  readonly freqHz: Float64Array;
  readonly rocof: Float64Array;
  readonly arrivalMs: Float64Array;
  readonly phasors: Float64Array;
  readonly analogs: Float64Array;
  readonly soc: Uint32Array;
  readonly fracsec: Uint32Array;
  readonly phasorStart: Uint32Array;
  readonly analogStart: Uint32Array;
  readonly digitalStart: Uint32Array;
  readonly idcodes: Uint16Array;
  readonly streams: Uint16Array;
  readonly stat: Uint16Array;
  readonly timeQuality: Uint16Array;
  readonly digitals: Uint16Array;
  readonly missing: Uint16Array;

  /** Reads a buffer written by `encodePartialSnapshot`; a buffer of another size is refused. */
  constructor(readonly buffer: ArrayBuffer) {
    const h = new Float64Array(buffer, 0, HEADER_WORDS);
    const shape: Shape = { pmus: h[2], phasorValues: h[3], analogs: h[4], digitals: h[5], missing: h[6] };
    if (bytesOf(shape) !== buffer.byteLength)
      throw new Error(`invariant: partial snapshot of ${buffer.byteLength} bytes does not match its header`);
    this.slot = h[0];
    this.timeSec = h[1];
    this.firstArrivalMs = h[7];
    this.lastArrivalMs = h[8];
    this.releasedAtMs = h[9];
    this.skippedSlotsBefore = h[10];
    this.reason = REASONS[h[11]];
    const r = new SectionCursor(buffer, HEADER_WORDS * 8);
    const n = shape.pmus;
    this.freqHz = r.f64(n);
    this.rocof = r.f64(n);
    this.arrivalMs = r.f64(n);
    this.phasors = r.f64(shape.phasorValues);
    this.analogs = r.f64(shape.analogs);
    this.soc = r.u32(n);
    this.fracsec = r.u32(n);
    this.phasorStart = r.u32(n + 1);
    this.analogStart = r.u32(n + 1);
    this.digitalStart = r.u32(n + 1);
    this.idcodes = r.u16(n);
    this.streams = r.u16(n);
    this.stat = r.u16(n);
    this.timeQuality = r.u16(n);
    this.digitals = r.u16(shape.digitals);
    this.missing = r.u16(shape.missing);
  }

  get pmuCount(): number {
    return this.idcodes.length;
  }

  /** PMU i's sample as ingest's sinks take it; its arrays are views into this buffer. */
  sample(i: number): PmuSample {
    return {
      idcode: this.idcodes[i],
      streamIdcode: this.streams[i],
      soc: this.soc[i],
      fracsec: this.fracsec[i],
      stat: this.stat[i],
      timeQuality: this.timeQuality[i],
      freqHz: this.freqHz[i],
      rocofHzPerS: this.rocof[i],
      phasors: this.phasors.subarray(this.phasorStart[i], this.phasorStart[i + 1]),
      analogs: this.analogs.subarray(this.analogStart[i], this.analogStart[i + 1]),
      digitals: this.digitals.subarray(this.digitalStart[i], this.digitalStart[i + 1]),
      arrivalMs: this.arrivalMs[i],
    };
  }
}

/** Writes a snapshot's samples as columns in one ArrayBuffer, ready to be transferred. */
export function encodePartialSnapshot(s: Snapshot): ArrayBuffer {
  const values = s.values;
  const shape = shapeOf(s);
  const buffer = new ArrayBuffer(bytesOf(shape));
  const h = new Float64Array(buffer, 0, HEADER_WORDS);
  h.set([
    s.slot,
    s.timeSec,
    shape.pmus,
    shape.phasorValues,
    shape.analogs,
    shape.digitals,
    shape.missing,
    s.firstArrivalMs,
    s.lastArrivalMs,
    s.releasedAtMs,
    s.skippedSlotsBefore,
    REASONS.indexOf(s.reason),
  ]);
  const view = new PartialSnapshot(buffer);
  let ph = 0;
  let an = 0;
  let dg = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    view.idcodes[i] = v.idcode;
    view.streams[i] = v.streamIdcode;
    view.stat[i] = v.stat;
    view.timeQuality[i] = v.timeQuality;
    view.soc[i] = v.soc;
    view.fracsec[i] = v.fracsec;
    view.freqHz[i] = v.freqHz;
    view.rocof[i] = v.rocofHzPerS;
    view.arrivalMs[i] = v.arrivalMs;
    if (v instanceof FrameSample) {
      // The pipeline's samples copy straight from their frame: no view per channel kind per sample.
      ph += v.copyPhasors(view.phasors, ph);
      an += v.copyAnalogs(view.analogs, an);
      dg += v.copyDigitals(view.digitals, dg);
    } else {
      view.phasors.set(v.phasors, ph);
      view.analogs.set(v.analogs, an);
      view.digitals.set(v.digitals, dg);
      ph += v.phasors.length;
      an += v.analogs.length;
      dg += v.digitals.length;
    }
    view.phasorStart[i + 1] = ph;
    view.analogStart[i + 1] = an;
    view.digitalStart[i + 1] = dg;
  }
  view.missing.set(s.missing);
  return buffer;
}

function shapeOf(s: Snapshot): Shape {
  let phasorValues = 0;
  let analogs = 0;
  let digitals = 0;
  for (const v of s.values) {
    const frameSample = v instanceof FrameSample;
    phasorValues += frameSample ? v.phasorValueCount : v.phasors.length;
    analogs += frameSample ? v.analogCount : v.analogs.length;
    digitals += frameSample ? v.digitalCount : v.digitals.length;
  }
  return { pmus: s.values.length, phasorValues, analogs, digitals, missing: s.missing.length };
}

function bytesOf(s: Shape): number {
  const f64 = HEADER_WORDS + 3 * s.pmus + s.phasorValues + s.analogs;
  const u32 = 2 * s.pmus + 3 * (s.pmus + 1);
  const u16 = 4 * s.pmus + s.digitals + s.missing;
  return 8 * f64 + 4 * u32 + 2 * u16;
}

/** Hands out consecutive typed-array views of one buffer. */
class SectionCursor {
  constructor(
    private readonly buffer: ArrayBuffer,
    private offset: number,
  ) {}

  f64(n: number): Float64Array {
    return this.take(n, 8, (o) => new Float64Array(this.buffer, o, n));
  }

  u32(n: number): Uint32Array {
    return this.take(n, 4, (o) => new Uint32Array(this.buffer, o, n));
  }

  u16(n: number): Uint16Array {
    return this.take(n, 2, (o) => new Uint16Array(this.buffer, o, n));
  }

  private take<A>(n: number, size: number, make: (offset: number) => A): A {
    const a = make(this.offset);
    this.offset += n * size;
    return a;
  }
}

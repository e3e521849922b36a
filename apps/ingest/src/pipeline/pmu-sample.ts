import type { DataFrameView } from '@gridcloud/c37118';
import type { AlignedSnapshot, TimedFrame } from '@gridcloud/pdc';
/** One PMU's measurement at one instant, copied out of the decoder's reusable view. */
export interface PmuSample {
  readonly idcode: number;
  /** IDCODE of the stream (PMU or PDC) that carried it. */
  readonly streamIdcode: number;
  readonly soc: number;
  readonly fracsec: number;
  readonly stat: number;
  /** FRACSEC message time quality code (0: locked to UTC). */
  readonly timeQuality: number;
  readonly freqHz: number;
  readonly rocofHzPerS: number;
  /** (re, im) pairs in the units of the PMU's configuration. */
  readonly phasors: Float64Array;
  /** The PMU's analog channels, scaled as its configuration says (empty when it has none). */
  readonly analogs: Float64Array;
  /** The PMU's digital status words, e.g. breaker states (empty when it has none). */
  readonly digitals: Uint16Array;
  readonly arrivalMs: number;
}

/**
 * Where each word of a sample record lies (see SampleRecords): the sample's time, arrival, per-PMU words and value
 * counts, then its phasor values (re, im pairs), analog channels and digital words, all as float64.
 */
const STREAM = 0;
const SOC = 1;
const FRACSEC = 2;
const TIME_QUALITY = 3;
const ARRIVAL = 4;
const STAT = 5;
const FREQ = 6;
const ROCOF = 7;
const PHASOR_VALUES = 8;
const ANALOGS = 9;
const DIGITALS = 10;
/** Words of a record before its values. */
export const SAMPLE_HEADER_WORDS = 11;
/** The smallest records buffer made, in float64 words. */
const MIN_RECORD_WORDS = 1024;

/** Words the record of PMU `p` of frames with this view's layout takes. */
function recordWords(view: DataFrameView, p: number): number {
  const l = view.layout;
  return (
    SAMPLE_HEADER_WORDS +
    2 * (l.phasorStart[p + 1] - l.phasorStart[p]) +
    (l.analogStart[p + 1] - l.analogStart[p]) +
    (l.digitalStart[p + 1] - l.digitalStart[p])
  );
}

/**
 * One open slot's samples, copied out of the decoder's reused view into one growing float64 buffer: a record per
 * placed PMU, addressed by its offset. The aligner keeps only that offset per PMU, so an open slot holds no object
 * per frame or per PMU, and the buffers are reused from slot to slot (see SampleRecordsPool): however long slots
 * stay open, a young-generation collection finds nothing of them to copy or promote. A slot's records grow only
 * with the samples placed in it (one per expected PMU at most) plus the one record written ahead of each offer.
 */
export class SampleRecords {
  words: Float64Array;
  /** Words taken by committed records. */
  fill = 0;
  /** The end of the record last written by `write`, taken by `commit`. */
  private written = 0;

  constructor(capacityWords: number) {
    this.words = new Float64Array(Math.max(MIN_RECORD_WORDS, capacityWords));
  }

  /** Writes PMU `p`'s sample of the decoded frame after the committed records, without taking the space; returns its offset. */
  write(view: DataFrameView, p: number, arrivalMs: number): number {
    const need = recordWords(view, p);
    if (this.fill + need > this.words.length) this.grow(this.fill + need);
    const w = this.words;
    const at = this.fill;
    const l = view.layout;
    w[at + STREAM] = view.idcode;
    w[at + SOC] = view.soc;
    w[at + FRACSEC] = view.fracsec;
    w[at + TIME_QUALITY] = view.timeQualityCode;
    w[at + ARRIVAL] = arrivalMs;
    w[at + STAT] = view.stat[p];
    w[at + FREQ] = view.freq[p];
    w[at + ROCOF] = view.dfreq[p];
    let o = at + SAMPLE_HEADER_WORDS;
    const ph0 = 2 * l.phasorStart[p];
    const ph1 = 2 * l.phasorStart[p + 1];
    for (let i = ph0; i < ph1; i += 1) w[o++] = view.phasors[i];
    const an0 = l.analogStart[p];
    const an1 = l.analogStart[p + 1];
    for (let i = an0; i < an1; i += 1) w[o++] = view.analogs[i];
    const dg0 = l.digitalStart[p];
    const dg1 = l.digitalStart[p + 1];
    for (let i = dg0; i < dg1; i += 1) w[o++] = view.digitals[i];
    w[at + PHASOR_VALUES] = ph1 - ph0;
    w[at + ANALOGS] = an1 - an0;
    w[at + DIGITALS] = dg1 - dg0;
    this.written = o;
    return at;
  }

  /** Takes the space of the record last written (the aligner placed it). */
  commit(): void {
    this.fill = this.written;
  }

  /** A copy of the committed records, for a released snapshot's samples: the same offsets address it. */
  copy(): Float64Array {
    return this.words.slice(0, this.fill);
  }

  /** A copy of the one record at `at` (a late sample's, handed on alone), addressed at offset 0. */
  copyRecord(at: number): Float64Array {
    const w = this.words;
    const end = at + SAMPLE_HEADER_WORDS + w[at + PHASOR_VALUES] + w[at + ANALOGS] + w[at + DIGITALS];
    return w.slice(at, end);
  }

  clear(): void {
    this.fill = 0;
    this.written = 0;
  }

  private grow(words: number): void {
    const next = new Float64Array(Math.max(words, 2 * this.words.length));
    next.set(this.words.subarray(0, this.fill));
    this.words = next;
  }
}

/**
 * The records buffers of the open slots and the one written ahead into, reused from slot to slot. Each buffer
 * keeps the size it grew to, so after the first slots placing a sample allocates nothing. At most
 * `maxPendingSnapshots + 1` buffers are ever out (one per open slot, one being written ahead), and as many are kept.
 */
export class SampleRecordsPool {
  private readonly free: SampleRecords[] = [];

  constructor(private readonly maxKept: number) {}

  take(): SampleRecords {
    return this.free.pop() ?? new SampleRecords(0);
  }

  give(records: SampleRecords): void {
    records.clear();
    if (this.free.length < this.maxKept) this.free.push(records);
  }
}

/**
 * What the pipeline offers the aligner for each PMU of a frame: one object, reused from PMU to PMU and frame to
 * frame. Its `value` is the offset of the PMU's sample record in the slot's SampleRecords; the aligner keeps only
 * that number, and the effects that name the cursor are handled before the next offer.
 */
export class OfferCursor implements TimedFrame<number> {
  pmuId = 0;
  soc = 0;
  fraction = 0;
  arrivalMs = 0;
  value = 0;

  /** Points at the record at `at` of PMU `pmuId`, for the instant `soc` + `fraction`. */
  at(at: number, pmuId: number, soc: number, fraction: number, arrivalMs: number): this {
    this.value = at;
    this.pmuId = pmuId;
    this.soc = soc;
    this.fraction = fraction;
    this.arrivalMs = arrivalMs;
    return this;
  }
}

/** A released slot's samples: one FrameSample per PMU, reading the slot's records copied into `records`. */
export function samplesOf(s: AlignedSnapshot<number>, records: Float64Array): AlignedSnapshot<PmuSample> {
  const values = new Array<PmuSample>(s.values.length);
  for (let i = 0; i < values.length; i += 1) values[i] = new FrameSample(records, s.values[i], s.pmuIds[i]);
  return {
    slot: s.slot,
    timeSec: s.timeSec,
    pmuIds: s.pmuIds,
    values,
    missing: s.missing,
    complete: s.complete,
    reason: s.reason,
    firstArrivalMs: s.firstArrivalMs,
    lastArrivalMs: s.lastArrivalMs,
    releasedAtMs: s.releasedAtMs,
    skippedSlotsBefore: s.skippedSlotsBefore,
  };
}

/**
 * A PMU's sample as the pipeline makes it: its record's buffer and offset and its IDCODE, every value read from the
 * record when asked. Samples are made when their slot is released, from a copy of the slot's records that belongs
 * to the snapshot, so a sink may keep them.
 */
export class FrameSample implements PmuSample {
  constructor(
    private readonly records: Float64Array,
    private readonly at: number,
    readonly idcode: number,
  ) {}

  get streamIdcode(): number {
    return this.records[this.at + STREAM];
  }

  get soc(): number {
    return this.records[this.at + SOC];
  }

  get fracsec(): number {
    return this.records[this.at + FRACSEC];
  }

  get timeQuality(): number {
    return this.records[this.at + TIME_QUALITY];
  }

  get arrivalMs(): number {
    return this.records[this.at + ARRIVAL];
  }

  get stat(): number {
    return this.records[this.at + STAT];
  }

  get freqHz(): number {
    return this.records[this.at + FREQ];
  }

  get rocofHzPerS(): number {
    return this.records[this.at + ROCOF];
  }

  get phasors(): Float64Array {
    const start = this.at + SAMPLE_HEADER_WORDS;
    return this.records.subarray(start, start + this.phasorValueCount);
  }

  get analogs(): Float64Array {
    const start = this.at + SAMPLE_HEADER_WORDS + this.phasorValueCount;
    return this.records.subarray(start, start + this.analogCount);
  }

  /** The digital words, copied out of the record (where they are kept as float64). */
  get digitals(): Uint16Array {
    const start = this.at + SAMPLE_HEADER_WORDS + this.phasorValueCount + this.analogCount;
    return Uint16Array.from(this.records.subarray(start, start + this.digitalCount));
  }

  /** Phasor values (two per phasor), analog channels and digital words of this sample, counted without a view. */
  get phasorValueCount(): number {
    return this.records[this.at + PHASOR_VALUES];
  }

  get analogCount(): number {
    return this.records[this.at + ANALOGS];
  }

  get digitalCount(): number {
    return this.records[this.at + DIGITALS];
  }

  /** Copies the phasor values into `to` at `to0` without making a view; returns how many were copied. */
  copyPhasors(to: Float64Array, to0: number): number {
    return this.copyTo(to, to0, this.at + SAMPLE_HEADER_WORDS, this.phasorValueCount);
  }

  copyAnalogs(to: Float64Array, to0: number): number {
    return this.copyTo(to, to0, this.at + SAMPLE_HEADER_WORDS + this.phasorValueCount, this.analogCount);
  }

  copyDigitals(to: Uint16Array, to0: number): number {
    const start = this.at + SAMPLE_HEADER_WORDS + this.phasorValueCount + this.analogCount;
    return this.copyTo(to, to0, start, this.digitalCount);
  }

  private copyTo(to: Float64Array | Uint16Array, to0: number, start: number, count: number): number {
    const r = this.records;
    for (let i = 0; i < count; i += 1) to[to0 + i] = r[start + i];
    return count;
  }
}

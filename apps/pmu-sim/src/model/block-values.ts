import type { FrameValues } from '../wire/data-frame-writer';
import type { SimulatedPmu } from './pmu-channels';
import {
  analogCount,
  BITS_PER_WORD,
  currentChannels,
  digitalWordCount,
  type StreamFormat,
} from './stream-format';

/**
 * The values of one stream at one instant, PMU block by PMU block, in the
 * arrays the frame writer reads. Line power and breaker words are derived
 * from the block's own measured phasors and the scenario's trips, so they
 * agree with what the same frame says.
 */
export class BlockValues implements FrameValues {
  readonly stat: Uint16Array;
  readonly phasors: Float64Array;
  readonly freqHz: Float64Array;
  readonly rocof: Float64Array;
  readonly analogs: Float64Array;
  readonly digitals: Uint16Array;
  private readonly pmus: readonly SimulatedPmu[];
  private readonly format: StreamFormat;
  private readonly shape: BlockShape;

  constructor(
    stream: { readonly pmus: readonly SimulatedPmu[]; readonly format: StreamFormat },
    private readonly baseMVA: number,
  ) {
    this.pmus = stream.pmus;
    this.format = stream.format;
    this.shape = shapeOf(stream);
    const n = this.pmus.length;
    this.stat = new Uint16Array(n);
    this.phasors = new Float64Array(2 * this.shape.phasorStart[n]);
    this.freqHz = new Float64Array(n);
    this.rocof = new Float64Array(n);
    this.analogs = new Float64Array(this.shape.analogStart[n]);
    this.digitals = new Uint16Array(this.shape.digitalStart[n]);
  }

  /** Zeroes the STAT and digital words, which an instant sets bit by bit, before the arrays are filled again. */
  clearFlags(): void {
    this.stat.fill(0);
    this.digitals.fill(0);
  }

  /**
   * After PMU `p`'s phasors are measured: MW and MVAr into each of its
   * branch ends (S = V x conj(I) x baseMVA, the voltage being its first
   * channel), and a breaker bit per branch end, 0 once that branch tripped.
   */
  fillLinePowerAndBreakers(p: number, tripped: ReadonlySet<number>): void {
    const pmu = this.pmus[p];
    if (this.format.linePower) this.fillLinePower(p, pmu);
    if (!this.format.breakers) return;
    const first = this.shape.digitalStart[p];
    this.shape.breakerBranches[p].forEach((branch, k) => {
      if (!tripped.has(branch))
        this.digitals[first + Math.floor(k / BITS_PER_WORD)] |= 1 << (k % BITS_PER_WORD);
    });
  }

  private fillLinePower(p: number, pmu: SimulatedPmu): void {
    const v = 2 * this.shape.phasorStart[p];
    if (pmu.channels[0]?.kind !== 'voltage')
      throw new Error(`invariant: PMU ${pmu.idcode}'s first channel is its bus voltage`);
    const [vr, vi] = [this.phasors[v], this.phasors[v + 1]];
    let a = this.shape.analogStart[p];
    for (let k = 0; k < pmu.channels.length; k += 1) {
      if (pmu.channels[k].kind !== 'current') continue;
      const ir = this.phasors[v + 2 * k];
      const ii = this.phasors[v + 2 * k + 1];
      this.analogs[a++] = (vr * ir + vi * ii) * this.baseMVA;
      this.analogs[a++] = (vi * ir - vr * ii) * this.baseMVA;
    }
  }
}

/** Where each PMU's channels start in a stream's arrays, and the branch each breaker bit follows: fixed per stream. */
interface BlockShape {
  readonly phasorStart: Uint32Array;
  readonly analogStart: Uint32Array;
  readonly digitalStart: Uint32Array;
  readonly breakerBranches: readonly (readonly number[])[];
}

/** Computed once per stream (a configuration change makes a new stream object), not per frame. */
const shapes = new WeakMap<object, BlockShape>();

function shapeOf(stream: {
  readonly pmus: readonly SimulatedPmu[];
  readonly format: StreamFormat;
}): BlockShape {
  let shape = shapes.get(stream);
  if (shape !== undefined) return shape;
  const f = stream.format;
  shape = {
    phasorStart: starts(stream.pmus, (p) => p.channels.length),
    analogStart: starts(stream.pmus, (p) => analogCount(p, f)),
    digitalStart: starts(stream.pmus, (p) => digitalWordCount(p, f)),
    breakerBranches: stream.pmus.map((p) => currentChannels(p).map((c) => c.branch)),
  };
  shapes.set(stream, shape);
  return shape;
}

function starts<T>(items: readonly T[], count: (item: T) => number): Uint32Array {
  const out = new Uint32Array(items.length + 1);
  items.forEach((item, i) => (out[i + 1] = out[i] + count(item)));
  return out;
}

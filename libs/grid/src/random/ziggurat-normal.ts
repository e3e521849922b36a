import type { RandomSource } from './seeded-random';

/** Layers of the ziggurat: 128 boxes of equal area under the half-normal density. */
const LAYERS = 128;
/** Where the base layer's tail starts: the right edge of the widest box (Marsaglia and Tsang, 128 layers). */
const TAIL_START = 3.442619855899;
/** The common area of every layer, the base one including the tail past TAIL_START. */
const LAYER_AREA = 9.91256303526217e-3;
/** A 31-bit magnitude: the signed 32-bit draw's scale. */
const SCALE_31 = 2147483648;
const UINT32_RANGE = 4294967296;

/** Per layer: the accept threshold on |draw|, the draw-to-x factor and the density at the layer's edge. */
interface Tables {
  readonly accept: Float64Array;
  readonly width: Float64Array;
  readonly density: Float64Array;
}

let tables: Tables | undefined;

function buildTables(): Tables {
  const accept = new Float64Array(LAYERS);
  const width = new Float64Array(LAYERS);
  const density = new Float64Array(LAYERS);
  let edge = TAIL_START;
  let inner = edge;
  const baseWidth = LAYER_AREA / Math.exp(-0.5 * edge * edge);
  accept[0] = Math.floor((edge / baseWidth) * SCALE_31);
  accept[1] = 0;
  width[0] = baseWidth / SCALE_31;
  width[LAYERS - 1] = edge / SCALE_31;
  density[0] = 1;
  density[LAYERS - 1] = Math.exp(-0.5 * edge * edge);
  for (let i = LAYERS - 2; i >= 1; i -= 1) {
    edge = Math.sqrt(-2 * Math.log(LAYER_AREA / edge + Math.exp(-0.5 * edge * edge)));
    accept[i + 1] = Math.floor((edge / inner) * SCALE_31);
    inner = edge;
    density[i] = Math.exp(-0.5 * edge * edge);
    width[i] = edge / SCALE_31;
  }
  return { accept, width, density };
}

/**
 * Standard normal deviates by the ziggurat method (Marsaglia and Tsang) on a RandomSource: exact like Box-Muller,
 * but about 99% of draws cost one uniform, a comparison and a multiplication, with no logarithm or trigonometry.
 * It is the simulator's noise source, drawn for every phasor component of every PMU at every instant.
 */
export class ZigguratNormal {
  private readonly t: Tables;

  constructor(private readonly uniform: RandomSource) {
    tables ??= buildTables();
    this.t = tables;
  }

  next(): number {
    const draw = this.signedDraw();
    const layer = draw & (LAYERS - 1);
    if (Math.abs(draw) < this.t.accept[layer]) return draw * this.t.width[layer];
    return this.slow(draw, layer);
  }

  /** A uniform signed 32-bit integer: the source's own, or its [0, 1) number's 32 bits. */
  private signedDraw(): number {
    if (this.uniform.nextInt32 !== undefined) return this.uniform.nextInt32();
    const u = this.uniform.next() * UINT32_RANGE;
    return u >= SCALE_31 ? u - UINT32_RANGE : u;
  }

  /** The rare draws outside a layer's inner box: the wedge test, or the tail past TAIL_START for the base layer. */
  private slow(firstDraw: number, firstLayer: number): number {
    const { accept, width, density } = this.t;
    let draw = firstDraw;
    let layer = firstLayer;
    for (;;) {
      const x = draw * width[layer];
      if (layer === 0) return this.tail(draw > 0);
      const y = density[layer] + this.uniform.next() * (density[layer - 1] - density[layer]);
      if (y < Math.exp(-0.5 * x * x)) return x;
      draw = this.signedDraw();
      layer = draw & (LAYERS - 1);
      if (Math.abs(draw) < accept[layer]) return draw * width[layer];
    }
  }

  /** A draw from the normal tail beyond TAIL_START (Marsaglia's exponential rejection), with the given sign. */
  private tail(positive: boolean): number {
    let x: number;
    let y: number;
    do {
      x = -Math.log(1 - this.uniform.next()) / TAIL_START;
      y = -Math.log(1 - this.uniform.next());
    } while (y + y < x * x);
    return positive ? TAIL_START + x : -TAIL_START - x;
  }
}

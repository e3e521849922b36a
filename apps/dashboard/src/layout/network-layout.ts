/** The graph a layout needs: bus count and the branches as pairs of dense bus indices. */
export interface LayoutGraph {
  readonly busCount: number;
  readonly from: Int32Array;
  readonly to: Int32Array;
}

/** Bounds of the layout's work, so a large case cannot stall the start. */
export interface LayoutOptions {
  /** Force iterations at most. */
  readonly maxIterations: number;
  /** Pairwise repulsions over all iterations at most (n² per iteration); fewer iterations for larger cases. */
  readonly maxPairEvaluations: number;
}

export const DEFAULT_LAYOUT_OPTIONS: LayoutOptions = { maxIterations: 1000, maxPairEvaluations: 60_000_000 };

/**
 * Bus positions in [0, 1]² from a Fruchterman-Reingold force layout: branches pull their ends together, every pair
 * of buses pushes apart, and a cooling step bounds each move. It starts from buses on a circle in case order and
 * uses no randomness, so the same case always gives the same picture (every browser and every restart agrees).
 */
export function layoutNetwork(
  graph: LayoutGraph,
  options: LayoutOptions = DEFAULT_LAYOUT_OPTIONS,
): Float64Array {
  const n = graph.busCount;
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`busCount must be a non-negative integer, got ${n}`);
  if (graph.from.length !== graph.to.length) throw new RangeError('from and to must list the same branches');
  const xy = circleStart(n);
  if (n < 2) return normalise(xy);

  const iterations = Math.max(
    1,
    Math.min(options.maxIterations, Math.floor(options.maxPairEvaluations / (n * n))),
  );
  const k = 1 / Math.sqrt(n); // the ideal distance between neighbours in a unit square
  const shift = new Float64Array(2 * n);
  for (let it = 0; it < iterations; it += 1) {
    shift.fill(0);
    repel(xy, shift, n, k);
    attract(xy, shift, graph, k);
    const temperature = 0.3 * (1 - it / iterations) + 0.002;
    move(xy, shift, n, temperature);
  }
  return normalise(alongPrincipalAxis(xy));
}

/** Turns the picture so its longest extent lies along x: the page draws the network in a wide panel. */
function alongPrincipalAxis(xy: Float64Array): Float64Array {
  const n = xy.length / 2;
  let [mx, my] = [0, 0];
  for (let i = 0; i < n; i += 1) [mx, my] = [mx + xy[2 * i] / n, my + xy[2 * i + 1] / n];
  let [sxx, syy, sxy] = [0, 0, 0];
  for (let i = 0; i < n; i += 1) {
    const [dx, dy] = [xy[2 * i] - mx, xy[2 * i + 1] - my];
    [sxx, syy, sxy] = [sxx + dx * dx, syy + dy * dy, sxy + dx * dy];
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const [c, s] = [Math.cos(-angle), Math.sin(-angle)];
  const out = new Float64Array(xy.length);
  for (let i = 0; i < n; i += 1) {
    const [dx, dy] = [xy[2 * i] - mx, xy[2 * i + 1] - my];
    out[2 * i] = dx * c - dy * s;
    out[2 * i + 1] = dx * s + dy * c;
  }
  return out;
}

function circleStart(n: number): Float64Array {
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i += 1) {
    const a = (2 * Math.PI * i) / Math.max(1, n);
    xy[2 * i] = 0.5 + 0.4 * Math.cos(a);
    xy[2 * i + 1] = 0.5 + 0.4 * Math.sin(a);
  }
  return xy;
}

function repel(xy: Float64Array, shift: Float64Array, n: number, k: number): void {
  const k2 = k * k;
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      const dx = xy[2 * i] - xy[2 * j];
      const dy = xy[2 * i + 1] - xy[2 * j + 1];
      const d2 = Math.max(dx * dx + dy * dy, 1e-9);
      const f = k2 / d2; // force k²/d along the unit vector (dx, dy)/d
      shift[2 * i] += dx * f;
      shift[2 * i + 1] += dy * f;
      shift[2 * j] -= dx * f;
      shift[2 * j + 1] -= dy * f;
    }
  }
}

function attract(xy: Float64Array, shift: Float64Array, graph: LayoutGraph, k: number): void {
  for (let b = 0; b < graph.from.length; b += 1) {
    const i = graph.from[b];
    const j = graph.to[b];
    if (i === j) continue;
    const dx = xy[2 * i] - xy[2 * j];
    const dy = xy[2 * i + 1] - xy[2 * j + 1];
    const d = Math.sqrt(dx * dx + dy * dy);
    const f = d / k; // force d²/k along the unit vector
    shift[2 * i] -= dx * f;
    shift[2 * i + 1] -= dy * f;
    shift[2 * j] += dx * f;
    shift[2 * j + 1] += dy * f;
  }
}

function move(xy: Float64Array, shift: Float64Array, n: number, temperature: number): void {
  for (let i = 0; i < n; i += 1) {
    const dx = shift[2 * i];
    const dy = shift[2 * i + 1];
    const d = Math.sqrt(dx * dx + dy * dy);
    if (d === 0) continue;
    const step = Math.min(d, temperature) / d;
    xy[2 * i] += dx * step;
    xy[2 * i + 1] += dy * step;
  }
}

/** Scales each axis into [0, 1]; the page fits the square to its panel. */
function normalise(xy: Float64Array): Float64Array {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < xy.length; i += 2) {
    minX = Math.min(minX, xy[i]);
    maxX = Math.max(maxX, xy[i]);
    minY = Math.min(minY, xy[i + 1]);
    maxY = Math.max(maxY, xy[i + 1]);
  }
  const [spanX, spanY] = [Math.max(maxX - minX, 1e-12), Math.max(maxY - minY, 1e-12)];
  const out = new Float64Array(xy.length);
  for (let i = 0; i < xy.length; i += 2) {
    out[i] = maxX > minX ? (xy[i] - minX) / spanX : 0.5;
    out[i + 1] = maxY > minY ? (xy[i + 1] - minY) / spanY : 0.5;
  }
  return out;
}

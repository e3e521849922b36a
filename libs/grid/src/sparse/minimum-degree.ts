/**
 * Minimum-degree fill-reducing ordering on the explicit elimination graph.
 * Power-system graphs are sparse and nearly planar, so the cliques formed by
 * elimination stay small and the explicit graph is cheaper to keep than the
 * quotient graph of AMD. Ties go to the lowest node number so the ordering is
 * deterministic. Returns perm: perm[k] is the node eliminated k-th.
 */
export function minimumDegreeOrder(n: number, ptr: Int32Array, adj: Int32Array): Int32Array {
  const graph: Set<number>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = new Set<number>();
    for (let p = ptr[i]; p < ptr[i + 1]; p++) if (adj[p] !== i) s.add(adj[p]);
    graph[i] = s;
  }
  const heap = new DegreeHeap(n * 4 + 16);
  for (let i = 0; i < n; i++) heap.push(graph[i].size, i);
  const done = new Uint8Array(n);
  const perm = new Int32Array(n);
  let k = 0;
  while (k < n) {
    const v = heap.pop(graph, done);
    done[v] = 1;
    perm[k++] = v;
    const nbrs = [...graph[v]];
    for (const a of nbrs) graph[a].delete(v);
    for (let x = 0; x < nbrs.length; x++) {
      const ga = graph[nbrs[x]];
      for (let y = x + 1; y < nbrs.length; y++) {
        if (!ga.has(nbrs[y])) {
          ga.add(nbrs[y]);
          graph[nbrs[y]].add(nbrs[x]);
        }
      }
    }
    for (const a of nbrs) heap.push(graph[a].size, a);
    graph[v].clear();
  }
  return perm;
}

/** Binary min-heap of (degree, node) with lazy deletion of stale entries. */
class DegreeHeap {
  private keys: Float64Array;
  private size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
  }

  push(degree: number, node: number): void {
    if (this.size === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    // Degree in the high part, node in the low part: one number orders by (degree, node).
    let i = this.size++;
    const key = degree * 4294967296 + node;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.keys[i] = this.keys[parent];
      i = parent;
    }
    this.keys[i] = key;
  }

  pop(graph: Set<number>[], done: Uint8Array): number {
    while (this.size > 0) {
      const top = this.keys[0];
      const last = this.keys[--this.size];
      this.siftDown(last);
      const node = top % 4294967296;
      const degree = Math.floor(top / 4294967296);
      if (done[node] === 0 && graph[node].size === degree) return node;
    }
    throw new Error('invariant: degree heap exhausted before every node was ordered');
  }

  private siftDown(key: number): void {
    let i = 0;
    const n = this.size;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.keys[c + 1] < this.keys[c]) c++;
      if (this.keys[c] >= key) break;
      this.keys[i] = this.keys[c];
      i = c;
    }
    if (n > 0) this.keys[i] = key;
  }
}

/** Inverse of a permutation. */
export function invertPermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let k = 0; k < perm.length; k++) inv[perm[k]] = k;
  return inv;
}

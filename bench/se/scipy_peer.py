"""SciPy peer of the state-estimator benchmark.

Reads the gain matrix G, the weighted H^H operator and a few measurement
frames written by bench/se/main.ts, factors G once with scipy.sparse.linalg.splu
and times the same per-frame work as the TypeScript estimator: b = H^H W z,
then x = G^-1 b. Prints one JSON line when ready, then answers each stdin line
"time N" with the mean milliseconds per frame over N frames, so the two sides
can alternate batches on a shared machine. "quit" (or end of input) exits.
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla


def load_complex_coo(prefix, shape):
    rows = np.fromfile(prefix + ".rows", dtype=np.int32)
    cols = np.fromfile(prefix + ".cols", dtype=np.int32)
    re = np.fromfile(prefix + ".re", dtype=np.float64)
    im = np.fromfile(prefix + ".im", dtype=np.float64)
    return sp.coo_matrix((re + 1j * im, (rows, cols)), shape=shape)


def main():
    folder = sys.argv[1]
    with open(folder + "/meta.json") as f:
        meta = json.load(f)
    n, m, nframes = meta["n"], meta["m"], meta["frames"]
    g = load_complex_coo(folder + "/g", (n, n)).tocsc()
    a = load_complex_coo(folder + "/a", (n, m)).tocsr()
    z = (np.fromfile(folder + "/z.re", dtype=np.float64) + 1j * np.fromfile(folder + "/z.im", dtype=np.float64)).reshape(nframes, m)
    factor_ms = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        lu = sla.splu(g)
        factor_ms = min(factor_ms, (time.perf_counter() - t0) * 1e3)
    for k in range(50):
        lu.solve(a @ z[k % nframes])
    x_ts = np.fromfile(folder + "/x.re", dtype=np.float64) + 1j * np.fromfile(folder + "/x.im", dtype=np.float64)
    diff = float(np.max(np.abs(lu.solve(a @ z[0]) - x_ts)))
    print(json.dumps({"factorMs": factor_ms, "maxDiffVsTs": diff, "nnzLU": int(lu.L.nnz + lu.U.nnz)}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        frames = int(words[1])
        t0 = time.perf_counter()
        for k in range(frames):
            lu.solve(a @ z[k % nframes])
        print((time.perf_counter() - t0) * 1e3 / frames, flush=True)


if __name__ == "__main__":
    main()

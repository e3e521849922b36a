"""pypmu decode rate for the C37.118 benchmark (the peer measured in the same run).

usage: pypmu_decode.py SECONDS CFG_HEX FRAME_HEX
Decodes the CFG-2 once with pypmu, then decodes the data frame repeatedly
(CRC check and field parsing, as pypmu's PDC does per frame) for SECONDS
and prints one JSON line: {"frames": N, "seconds": S, "framesPerSec": R}.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "c37118"))
import pypmu_compat  # noqa: E402,F401  (must precede the synchrophasor imports)
from synchrophasor.frame import CommonFrame, DataFrame  # noqa: E402


def main():
    seconds, cfg_hex, frame_hex = float(sys.argv[1]), sys.argv[2], sys.argv[3]
    cfg = CommonFrame.convert2frame(bytes.fromhex(cfg_hex))
    frame = bytes.fromhex(frame_hex)
    first = CommonFrame.convert2frame(frame, cfg)
    assert isinstance(first, DataFrame), "pypmu did not decode the benchmark frame"
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            CommonFrame.convert2frame(frame, cfg)
        n += 100
        now = time.perf_counter()
        if now >= deadline:
            break
    elapsed = now - start
    print(json.dumps({"frames": n, "seconds": elapsed, "framesPerSec": n / elapsed}))


if __name__ == "__main__":
    main()

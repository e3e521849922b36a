"""A pypmu PMU for the interoperability test.

Serves C37.118 over TCP on an ephemeral port (printed as the first JSON line),
waits for one PDC to connect, then queues FRAMES data frames built by pypmu.
For every frame it prints one JSON line with the wire values pypmu encoded,
so the test can compare them with what our decoder produced.

usage: pypmu_pmu.py VARIANT FRAMES   (VARIANT: float-polar | int-rect | multi)
"""
import json
import logging
import sys
import time

import pypmu_compat  # noqa: F401  (must precede the synchrophasor imports)
from synchrophasor.frame import ConfigFrame1, ConfigFrame2, DataFrame
from synchrophasor.pmu import Pmu

PMU_ID = 1410
STAT = ("ok", True, "timestamp", False, False, False, 0, "<10", 0)
NAMES = ["VA", "VB", "VC", "I1", "ANALOG1", "ANALOG2", "ANALOG3"] + ["BREAKER %d" % b for b in range(16)]
PH_UNITS = [(915527, "v"), (915527, "v"), (915527, "v"), (45776, "i")]
AN_UNITS = [(1, "pow"), (1, "rms"), (1, "peak")]


def config_args(variant):
    if variant == "multi":
        return (PMU_ID, 1000000, 2, ["STATION A", "STATION B"], [1411, 1412],
                [(False, False, False, False), (True, True, True, True)], [4, 4], [3, 3], [1, 1],
                [NAMES, NAMES], [PH_UNITS, PH_UNITS], [AN_UNITS, AN_UNITS], [[(0x0000, 0xffff)], [(0x0000, 0xffff)]],
                [60, 50], [22, 23], 50)
    fmt = (True, True, True, True) if variant == "float-polar" else (False, False, False, False)
    return (PMU_ID, 1000000, 1, "STATION A", PMU_ID, fmt, 4, 3, 1, NAMES, PH_UNITS, AN_UNITS,
            [(0x0000, 0xffff)], 60, 22, 50)


def block(variant, i, polar_float):
    if polar_float:
        phasors = [(1000.0 + i, 0.5), (999.5, -2.0 + i * 0.01), (1001.25, 2.0), (50.5, -0.25)]
        return phasors, 0.02 + i * 0.001, -0.5, [100.5 + i, 1000.25, -3.5], [0x3C12 + i]
    phasors = [(14635 + i, 0), (-7318, -12676), (-7318, 12675), (1092, -i)]
    return phasors, 2500 - i, -3, [100 + i, 1000, -10000], [0x3C12 + i]


def data_frame(variant, cfg, i):
    if variant == "multi":
        a = block(variant, i, False)
        b = block(variant, i, True)
        return DataFrame(PMU_ID, [STAT, STAT], [a[0], b[0]], [a[1], b[1]], [a[2], b[2]],
                         [a[3], b[3]], [a[4], b[4]], cfg)
    ph, freq, dfreq, analog, digital = block(variant, i, variant == "float-polar")
    return DataFrame(PMU_ID, STAT, ph, freq, dfreq, analog, digital, cfg)


def wire_values(frame):
    """The values pypmu puts on the wire: its frame's packed fields, unpacked by pypmu.

    (Not a round trip through pypmu's decoder, which re-encodes STAT from a lossy tuple.)
    """
    stats = frame._stat if isinstance(frame._stat, list) else [frame._stat]
    # get_phasors() scales int16 phasors for single-PMU frames only; unpack the packed words instead.
    formats = frame.cfg._data_format if isinstance(frame.cfg._data_format, list) else [frame.cfg._data_format]
    packed = frame._phasors if isinstance(frame.cfg._data_format, list) else [frame._phasors]
    phasors = [[DataFrame._int2phasor(p, formats[k]) for p in packed[k]] for k in range(len(packed))]
    freq, dfreq = frame.get_freq(), frame.get_dfreq()
    analog, digital = frame.get_analog(), frame.get_digital()
    if not isinstance(freq, list):
        freq, dfreq, analog, digital = [freq], [dfreq], [analog], [digital]
    return [{"stat": stats[k], "phasors": [list(p) for p in phasors[k]], "freq": freq[k], "dfreq": dfreq[k],
             "analog": analog[k], "digital": digital[k]} for k in range(len(stats))]


def main():
    variant, frames = sys.argv[1], int(sys.argv[2])
    logging.getLogger("synchrophasor.pmu").setLevel(logging.WARNING)
    cfg2 = ConfigFrame2(*config_args(variant))
    cfg1 = ConfigFrame1(*config_args(variant))
    pmu = Pmu(pmu_id=PMU_ID, data_rate=50, port=0, ip="127.0.0.1")
    pmu.logger.setLevel(logging.WARNING)
    pmu.set_configuration(cfg1)
    pmu.set_configuration(cfg2)
    pmu.set_header("pypmu interop PMU")
    pmu.run()
    print(json.dumps({"port": pmu.socket.getsockname()[1]}), flush=True)
    deadline = time.time() + 30
    while not pmu.client_buffers and time.time() < deadline:
        time.sleep(0.01)
    for i in range(frames):
        frame = data_frame(variant, cfg2, i)
        pmu.send(frame)
        print(json.dumps({"i": i, "pmus": wire_values(frame)}), flush=True)
    print(json.dumps({"queued": frames}), flush=True)
    # Serve until the test closes stdin; the handler process streams the queue after "start".
    sys.stdin.read()


if __name__ == "__main__":
    main()

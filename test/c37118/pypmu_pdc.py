"""pypmu's PDC for the interoperability test.

Connects to our PMU server, asks for the header and CFG-2, starts the data
stream, decodes FRAMES data frames with pypmu, stops and quits. Prints one
JSON line per decoded frame with the wire values pypmu read, and a final
summary line.

usage: pypmu_pdc.py PORT FRAMES
"""
import json
import logging
import sys

import pypmu_compat  # noqa: F401  (must precede the synchrophasor imports)
from synchrophasor.frame import ConfigFrame2, DataFrame, HeaderFrame
from synchrophasor.pdc import Pdc


def as_list(value, multi):
    return value if multi else [value]


def main():
    port, frames = int(sys.argv[1]), int(sys.argv[2])
    # buffer_size 4 makes pypmu read exactly one frame per get(): with a larger
    # buffer its reader can swallow the start of the next frame and drop both.
    pdc = Pdc(pdc_id=7, pmu_ip="127.0.0.1", pmu_port=port, buffer_size=4)
    pdc.logger.setLevel(logging.WARNING)
    pdc.run()
    header = pdc.get_header()
    cfg = pdc.get_config("cfg2")
    multi = cfg.get_num_pmu() > 1
    print(json.dumps({"header": header.get_header(), "numPmu": cfg.get_num_pmu(),
                      "stations": as_list(cfg.get_station_name(), multi), "idcodes": as_list(cfg.get_stream_id_code(), multi),
                      "dataRate": cfg.get_data_rate(), "timeBase": cfg.get_time_base()}), flush=True)
    pdc.start()
    decoded = 0
    for _ in range(frames):
        frame = pdc.get()
        if not isinstance(frame, DataFrame):
            print(json.dumps({"error": "pypmu could not decode a frame: %r" % type(frame).__name__}), flush=True)
            continue
        # pypmu's reading of each STAT word: (status, sync, sorting, trigger, cfg_change, modified,
        # time_quality, unlocked, trigger_reason).
        stats = [list(st) for st in as_list(frame.get_stat(), multi)]
        phasors = as_list(frame.get_phasors(convert2polar=False), multi)
        freq, dfreq = as_list(frame.get_freq(), multi), as_list(frame.get_dfreq(), multi)
        analog, digital = as_list(frame.get_analog(), multi), as_list(frame.get_digital(), multi)
        pmus = [{"stat": stats[k], "phasors": [list(p) for p in phasors[k]], "freq": freq[k], "dfreq": dfreq[k],
                 "analog": analog[k], "digital": digital[k]} for k in range(len(stats))]
        print(json.dumps({"soc": frame.get_soc(), "fracsec": frame.get_frasec()[0], "pmus": pmus}), flush=True)
        decoded += 1
    pdc.stop()
    pdc.quit()
    print(json.dumps({"decoded": decoded}), flush=True)


if __name__ == "__main__":
    main()

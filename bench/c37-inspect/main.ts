/**
 * `tsx bench/c37-inspect/main.ts [--json]`: how `inspectCapture` scales with
 * the number of configurations in a capture, each renaming its stations (the
 * capture that once made the inspector quadratic). Prints the time for 20 and
 * for 100 configurations and their ratio; linear work gives about 5.
 */
import { buildConfig, encodeFrame, inspectCapture } from '@gridcloud/c37118';
import { buildPcap } from '../../libs/c37118/src/testing/pcap-builder';

const PMUS_PER_CONFIG = 100;
const REPEATS = 10;
const RUNS = 3;

function capture(configs: number): Uint8Array {
  const packets = [];
  for (let r = 0; r < REPEATS; r++) {
    for (let c = 0; c < configs; c++) {
      const config = buildConfig({
        idcode: c + 1,
        dataRate: 30,
        pmus: Array.from({ length: PMUS_PER_CONFIG }, (_, p) => ({
          stationName: `S${c}.${p}`,
          idcode: (c * PMUS_PER_CONFIG + p) % 65536,
          phasors: ['VA'],
        })),
      });
      packets.push({ protocol: 'udp' as const, srcPort: 4713, dstPort: 4713, payload: encodeFrame(config) });
    }
  }
  return buildPcap(packets);
}

/** Best of RUNS, in milliseconds, after one warm-up run. */
function timeInspect(file: Uint8Array): number {
  inspectCapture(file);
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    inspectCapture(file);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const small = timeInspect(capture(20));
const large = timeInspect(capture(100));
const result = {
  configs20Ms: Math.round(small),
  configs100Ms: Math.round(large),
  ratio: +(large / small).toFixed(2),
};
process.stdout.write(
  process.argv.includes('--json')
    ? `${JSON.stringify(result)}\n`
    : `inspect: 20 configurations ${result.configs20Ms} ms, 100 configurations ${result.configs100Ms} ms, ratio ${result.ratio} (linear: about 5)\n`,
);

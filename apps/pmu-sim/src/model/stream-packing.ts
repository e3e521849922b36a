import { encodeFrame, MAX_FRAME_BYTES, type ConfigFrame } from '@gridcloud/c37118';
import { config3Of } from '../wire/config3';

/**
 * Splits PMUs, in order, into as few streams as fit: every frame a stream
 * sends (CFG-2, and CFG-3 on request, which are larger than its data frames)
 * must stay within one C37.118 frame, `maxFrameBytes` (65,535 at most). Each
 * PMU's share of a configuration frame is measured by encoding it, so the
 * split follows the codec exactly; `configOf` builds a stream's configuration.
 */
export function packStreams<P>(
  pmus: readonly P[],
  configOf: (pmus: readonly P[]) => ConfigFrame,
  maxFrameBytes = MAX_FRAME_BYTES,
): P[][] {
  if (pmus.length === 0) return [];
  const sizes = (group: readonly P[]): [number, number] => {
    const cfg = configOf(group);
    return [encodeFrame(cfg).length, encodeFrame(config3Of(cfg)).length];
  };
  // A configuration is a fixed part plus one block per PMU: two single-PMU frames and their pair give the fixed part.
  const fixed =
    pmus.length < 2 ? [0, 0] : fixedParts(sizes([pmus[0]]), sizes([pmus[1]]), sizes([pmus[0], pmus[1]]));
  const out: P[][] = [];
  let current: P[] = [];
  let used = [fixed[0], fixed[1]];
  for (const pmu of pmus) {
    const [cfg2, cfg3] = sizes([pmu]);
    const share = [cfg2 - fixed[0], cfg3 - fixed[1]];
    if (fixed[0] + share[0] > maxFrameBytes || fixed[1] + share[1] > maxFrameBytes) {
      throw new Error(
        `invariant: one PMU's configuration alone (${cfg2} bytes) passes ${maxFrameBytes} bytes`,
      );
    }
    if (current.length > 0 && (used[0] + share[0] > maxFrameBytes || used[1] + share[1] > maxFrameBytes)) {
      out.push(current);
      current = [];
      used = [fixed[0], fixed[1]];
    }
    current.push(pmu);
    used = [used[0] + share[0], used[1] + share[1]];
  }
  out.push(current);
  return out;
}

function fixedParts(a: [number, number], b: [number, number], pair: [number, number]): [number, number] {
  return [a[0] + b[0] - pair[0], a[1] + b[1] - pair[1]];
}

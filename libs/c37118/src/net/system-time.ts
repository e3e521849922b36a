import type { FrameTime } from './pmu-session';

/** Wall-clock SOC/FRACSEC for runtime shells (never used inside protocol cores). */
export function systemFrameTime(timeBase = 1_000_000): FrameTime {
  const ms = Date.now();
  return { soc: Math.floor(ms / 1000), fracsec: Math.floor(((ms % 1000) / 1000) * timeBase) };
}

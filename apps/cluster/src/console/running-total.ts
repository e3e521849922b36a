/**
 * A cumulative counter read from a process that may restart: its reports start again at zero after a restart, so
 * a reading lower than the previous one is a reset and counts in full. The total across restarts never goes down,
 * so rates computed from it are never negative.
 */
export class RunningTotal {
  private last: number | undefined;
  private totalValue = 0;
  private intervalStartTotal = 0;
  private intervalStartMs: number | undefined;

  get total(): number {
    return this.totalValue;
  }

  /** Takes the source's current reading of its own counter. */
  observe(reading: number): void {
    if (!Number.isFinite(reading) || reading < 0) return;
    const delta = this.last === undefined || reading < this.last ? reading : reading - this.last;
    this.last = reading;
    this.totalValue += delta;
  }

  /** The source restarted: its next reading counts from zero. */
  reset(): void {
    this.last = undefined;
  }

  /** Per second since the previous call (undefined on the first), and starts the next interval. */
  takeRate(nowMs: number): number | undefined {
    const start = this.intervalStartMs;
    const delta = this.totalValue - this.intervalStartTotal;
    this.intervalStartMs = nowMs;
    this.intervalStartTotal = this.totalValue;
    if (start === undefined || nowMs <= start) return undefined;
    return (delta * 1000) / (nowMs - start);
  }
}

import assert from 'node:assert/strict';
import { VsyncOptionsError } from './errors/vsync-options-error';

/** Network faults injected on the real runtime's outgoing messages, for tests that run real processes. */
export interface FaultOptions {
  /** Probability in [0, 1) that an outgoing message is dropped. */
  readonly dropRate?: number;
  /** Probability in [0, 1) that an outgoing message is sent twice. */
  readonly duplicateRate?: number;
  /** Each message is held back a uniform random 0..maxDelayMs, which also reorders messages. */
  readonly maxDelayMs?: number;
  /** Seed of the fault schedule, so a failing run can be repeated with the same decisions. */
  readonly seed?: number;
}

/** Messages held back at once; beyond this, delayed messages are sent at once instead of queued. */
const MAX_DELAYED_MESSAGES = 100_000;

/**
 * A faulty layer between the runtime and its transport, in the way JGroups stacks DISCARD and DELAY: it drops,
 * duplicates and delays (thereby reorders) outgoing messages from a seeded schedule. The protocol above must
 * tolerate all of it; production processes simply do not configure it.
 */
export class FaultInjector {
  /** What the schedule has done so far, so a test can show that faults really happened. */
  readonly counts = { dropped: 0, duplicated: 0, delayed: 0 };
  private state: number;
  private delayed = 0;
  private readonly dropRate: number;
  private readonly duplicateRate: number;
  private readonly maxDelayMs: number;
  /** Addresses every message to is dropped: a one-way cut, as a broken route or a firewall makes. */
  private readonly cutTo = new Set<string>();

  constructor(options: FaultOptions) {
    this.dropRate = rate('faults.dropRate', options.dropRate);
    this.duplicateRate = rate('faults.duplicateRate', options.duplicateRate);
    this.maxDelayMs = options.maxDelayMs ?? 0;
    if (!Number.isInteger(this.maxDelayMs) || this.maxDelayMs < 0 || this.maxDelayMs > 10_000) {
      throw new VsyncOptionsError(
        'faults.maxDelayMs',
        `${String(options.maxDelayMs)} is not an integer in 0..10000`,
      );
    }
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed))
      throw new VsyncOptionsError('faults.seed', `${String(seed)} is not an integer`);
    this.state = seed >>> 0;
  }

  /** From now on, drops every message to this address (the other direction is untouched). */
  cut(toAddress: string): void {
    this.cutTo.add(toAddress);
  }

  heal(): void {
    this.cutTo.clear();
  }

  /** Passes a message on to `send` zero, one or two times, now or later, as the schedule decides. */
  apply(toAddress: string, send: () => void): void {
    if (this.cutTo.has(toAddress)) {
      this.counts.dropped += 1;
      return;
    }
    if (this.next() < this.dropRate) {
      this.counts.dropped += 1;
      return;
    }
    const copies = this.next() < this.duplicateRate ? 2 : 1;
    if (copies === 2) this.counts.duplicated += 1;
    for (let copy = 0; copy < copies; copy += 1) this.later(send);
  }

  private later(send: () => void): void {
    const delayMs = Math.floor(this.next() * (this.maxDelayMs + 1));
    if (delayMs === 0 || this.delayed >= MAX_DELAYED_MESSAGES) return send();
    this.delayed += 1;
    this.counts.delayed += 1;
    setTimeout(() => {
      this.delayed -= 1;
      assert.ok(this.delayed >= 0);
      send();
    }, delayMs);
  }

  /** mulberry32: small, fast and good enough to schedule faults; determinism matters, not cryptography. */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

function rate(name: string, value: number | undefined): number {
  const r = value ?? 0;
  if (typeof r !== 'number' || !(r >= 0 && r < 1))
    throw new VsyncOptionsError(name, `${String(value)} is not a probability in [0, 1)`);
  return r;
}

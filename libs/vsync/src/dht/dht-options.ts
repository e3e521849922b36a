import { VsyncOptionsError } from '../runtime';
import { DEFAULT_HANDLER_BASE } from './dht-codec';
import type { AggregateMap } from './dht-shard';
import { DEFAULT_DHT_BOUNDS, type DhtBounds } from './dht-types';

/** A member's DHT options: the shard's bounds, the handler ids it takes and the aggregates it can run. */
export interface DhtOptions extends Partial<DhtBounds> {
  /** First of the 5 handler ids the DHT registers on its group (default 0xfffd0000). */
  readonly handlerBase?: number;
  /** Aggregates by name: each runs over the entries this member is the primary owner of. */
  readonly aggregates?: Readonly<Record<string, AggregateMap>>;
  /** Time a member gets to acknowledge one handover or done message before it is sent again (default 5,000). */
  readonly moveTimeoutMs?: number;
  /** Pause before sending a move message again that the target refused (it had not installed the view yet). */
  readonly moveRetryMs?: number;
}

export function positiveMs(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new VsyncOptionsError(name, `must be a positive integer, got ${String(value)}`);
  return value;
}

export function boundsOf(options: Partial<DhtBounds>): DhtBounds {
  const bounds = { ...DEFAULT_DHT_BOUNDS };
  for (const name of Object.keys(DEFAULT_DHT_BOUNDS) as Array<keyof DhtBounds>) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1)
      throw new VsyncOptionsError(name, `must be a positive integer, got ${String(value)}`);
    bounds[name] = value;
  }
  return bounds;
}

export function handlerBaseOf(value: number | undefined): number {
  const base = value ?? DEFAULT_HANDLER_BASE;
  if (!Number.isInteger(base) || base < 0 || base > 0xffff_ff00)
    throw new VsyncOptionsError('handlerBase', `must be an integer in 0..0xffffff00, got ${String(base)}`);
  return base;
}

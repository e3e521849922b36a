/** What a browser asks to see: an area's room (or the whole system), buses to plot, and where its plots stopped. */
export interface WatchRequest {
  readonly area: number | 'all';
  readonly buses: number[];
  readonly sinceSlot: number | null;
}

/** Buses a browser may plot at once. */
export const MAX_PLOTTED_BUSES = 8;

/** Checks a browser's `watch` message; a bad one is answered with this error, never thrown at the server. */
export class WatchRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchRequestError';
  }
}

export function parseWatchRequest(v: unknown, busCount: number, maxAreas: number): WatchRequest {
  if (typeof v !== 'object' || v === null)
    throw new WatchRequestError('watch needs an object {area, buses, sinceSlot}');
  const o = v as Record<string, unknown>;
  const area = o.area ?? 'all';
  if (area !== 'all' && !(Number.isInteger(area) && (area as number) >= 0 && (area as number) < maxAreas))
    throw new WatchRequestError(
      `area must be 'all' or an integer in 0..${maxAreas - 1}, got ${JSON.stringify(area)}`,
    );
  const buses = o.buses ?? [];
  if (!Array.isArray(buses) || buses.length > MAX_PLOTTED_BUSES)
    throw new WatchRequestError(`buses must be an array of at most ${MAX_PLOTTED_BUSES} bus indices`);
  for (const b of buses)
    if (!Number.isInteger(b) || b < 0 || b >= busCount)
      throw new WatchRequestError(`bus index ${JSON.stringify(b)} is not in 0..${busCount - 1}`);
  const sinceSlot = o.sinceSlot ?? null;
  if (sinceSlot !== null && typeof sinceSlot !== 'number')
    throw new WatchRequestError(`sinceSlot must be a number or null, got ${JSON.stringify(sinceSlot)}`);
  return { area: area as number | 'all', buses: buses as number[], sinceSlot: sinceSlot as number | null };
}

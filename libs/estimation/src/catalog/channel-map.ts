import { ChannelMapError } from '../errors/channel-map-error';

/** Where a real PMU's channel sits in the network, and how its values convert to per unit. */
export interface ChannelMapEntry {
  readonly idcode: number;
  readonly channel: string;
  readonly kind: 'voltage' | 'current';
  /** Bus number (case numbering) of the voltage, or of the measured end of the current. */
  readonly busId: number;
  /** For a current: 0-based branch row of the case. */
  readonly branch: number;
  /** Per unit = value * scaleToPu (1 / base volts or base amperes; 1 when the PMU sends per unit). */
  readonly scaleToPu: number;
}

/** A channel map keyed by `${idcode}/${channel}`. */
export type ChannelMap = ReadonlyMap<string, ChannelMapEntry>;

export function channelKey(idcode: number, channel: string): string {
  return `${idcode}/${channel}`;
}

/**
 * Parses a channel-map file: JSON `{"channels":[{"idcode":1,"channel":"VA",
 * "kind":"voltage","busId":4,"scaleToPu":1.4434e-5}, {"idcode":1,"channel":"I1",
 * "kind":"current","busId":4,"branch":6,"scaleToPu":0.0025}]}`. Entries take
 * precedence over pmu-sim's channel names.
 */
export function parseChannelMap(text: string, source = 'channel map'): ChannelMap {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ChannelMapError(`${source}: not JSON: ${(error as Error).message}`);
  }
  const list = (raw as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(list)) throw new ChannelMapError(`${source}: expected {"channels": [...]}`);
  const out = new Map<string, ChannelMapEntry>();
  list.forEach((item: unknown, i) => {
    const entry = entryOf(item, `${source}: channels[${i}]`);
    const key = channelKey(entry.idcode, entry.channel);
    if (out.has(key)) throw new ChannelMapError(`${source}: channels[${i}] maps ${key} a second time`);
    out.set(key, entry);
  });
  return out;
}

function entryOf(item: unknown, where: string): ChannelMapEntry {
  const e = item as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new ChannelMapError(`${where}: ${what}`);
  };
  if (typeof e !== 'object' || e === null) fail('is not an object');
  if (!Number.isInteger(e.idcode) || (e.idcode as number) < 0 || (e.idcode as number) > 0xffff)
    fail('idcode must be an integer in [0, 65535]');
  if (typeof e.channel !== 'string' || e.channel.length === 0) fail('channel must be a non-empty string');
  if (e.kind !== 'voltage' && e.kind !== 'current') fail(`kind must be 'voltage' or 'current'`);
  if (!Number.isInteger(e.busId)) fail('busId must be an integer bus number');
  const branch = e.kind === 'current' ? e.branch : -1;
  if (e.kind === 'current' && (!Number.isInteger(branch) || (branch as number) < 0))
    fail('a current needs branch, a 0-based branch row');
  const scale = e.scaleToPu ?? 1;
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale))
    fail('scaleToPu must be a positive number');
  return {
    idcode: e.idcode as number,
    channel: e.channel as string,
    kind: e.kind as 'voltage' | 'current',
    busId: e.busId as number,
    branch: branch as number,
    scaleToPu: scale as number,
  };
}

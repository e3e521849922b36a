import { MAX_USER_TIME_NS } from '../protocol/records';
import { FileStoreRequestError } from './errors';

const UNIT_NS: Readonly<Record<string, bigint>> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };
const INTEGER_WITH_UNIT = /^(\d{1,20})(ns|us|ms|s)$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const EXPECTED =
  'an ISO-8601 time with its zone (2026-12-02T11:00:00.123456789Z) or an integer with its unit (1733137200000ms; units ns, us, ms, s)';

/** The clocks a temporal read can be taken on: the records' own (sensor) time, or the store's hybrid logical clock. */
export const TIME_CLOCKS = ['user', 'server'] as const;

/**
 * Reads a time given over HTTP (`at`, a record's `userTime`): ISO-8601 with a zone and up to nine fraction digits,
 * or a non-negative integer with its unit. Returns nanoseconds since 1970-01-01T00:00:00Z; anything else is a
 * FileStoreRequestError naming `what` and the value.
 */
export function parseTimeNs(what: string, text: string): bigint {
  const integer = INTEGER_WITH_UNIT.exec(text);
  const ns = integer !== null ? BigInt(integer[1]) * UNIT_NS[integer[2]] : isoToNs(ISO_8601.exec(text));
  if (ns === null)
    throw new FileStoreRequestError(`${what}: '${clip(text)}' is not a time: give ${EXPECTED}`);
  // Times after about 2262 do not fit the signed 64-bit nanosecond count the store keeps.
  if (ns > MAX_USER_TIME_NS)
    throw new FileStoreRequestError(
      `${what}: '${clip(text)}' is after the last time the store keeps (year 2262)`,
    );
  return ns;
}

/** Reads `clock`: 'user' (the default) or 'server'. */
export function parseClock(text: string | undefined): (typeof TIME_CLOCKS)[number] {
  if (text === undefined || text === 'user') return 'user';
  if (text === 'server') return 'server';
  throw new FileStoreRequestError(`clock: '${clip(text)}' is not a clock: give user or server`);
}

/** The canonical text of a time for a URL: integer nanoseconds with the unit. */
export function formatTimeNs(ns: bigint): string {
  return `${ns}ns`;
}

/** ISO-8601 with nine fraction digits, for people reading NDJSON. */
export function isoOfNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

function isoToNs(m: RegExpExecArray | null): bigint | null {
  if (m === null) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = m;
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`);
  // Date.parse rolls 2026-02-30 over to March 2: a day that does not exist is refused by the round trip.
  const local = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (Number.isNaN(ms) || local.getUTCDate() !== Number(day) || Number(hour) > 23 || ms < 0) return null;
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}

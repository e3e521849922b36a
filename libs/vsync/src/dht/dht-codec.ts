import type { OrderedOp, ReadValue, ShardReply } from './dht-shard';
import type { DhtEntry, DhtValue } from './dht-types';
import { decodeGroupCall, encodeGroupCall } from '../runtime';
import { DhtRequestError } from './errors/dht-request-error';

/** Handler ids the DHT registers on its group, from `handlerBase`. */
export const DHT_HANDLERS = { put: 0, get: 1, handover: 2, done: 3, ordered: 4 } as const;
export const DEFAULT_HANDLER_BASE = 0xfffd_0000;

/** Entries travel flat (key, value, counter, writer, ...) so the group codec's compact layout carries them, not
 *  V8's structured clone: this is the hot path of every put. */
export function flattenEntries(entries: readonly DhtEntry[]): unknown[] {
  const flat: unknown[] = new Array(entries.length * 4);
  let i = 0;
  for (const e of entries) {
    flat[i++] = e.key;
    flat[i++] = e.value;
    flat[i++] = e.version.t;
    flat[i++] = e.version.w;
  }
  return flat;
}

export function entriesOf(flat: readonly unknown[]): DhtEntry[] {
  if (flat.length % 4 !== 0)
    throw new DhtRequestError('entries must come as (key, value, counter, writer) fours');
  const entries: DhtEntry[] = new Array(flat.length / 4);
  for (let i = 0, j = 0; i < flat.length; i += 4, j++) {
    const [key, value, t, w] = [flat[i], flat[i + 1], flat[i + 2], flat[i + 3]];
    if (typeof key !== 'string' || !isValue(value) || typeof t !== 'number' || typeof w !== 'string')
      throw new DhtRequestError(`entry ${j} is not (string key, string or bytes value, number, string)`);
    entries[j] = { key, value, version: { t, w } };
  }
  return entries;
}

export function keysOf(args: readonly unknown[]): string[] {
  for (const k of args) if (typeof k !== 'string') throw new DhtRequestError('keys must be strings');
  return args as string[];
}

/** ['put', writer, key, value, ...] | ['get', key, ...] | ['aggregate', name, ...args] */
export function flattenOp(op: OrderedOp): unknown[] {
  if (op.kind === 'get') return ['get', ...op.keys];
  if (op.kind === 'aggregate') return ['aggregate', op.name, ...op.args];
  return ['put', op.writer, ...op.entries.flatMap((e) => [e.key, e.value])];
}

export function opOf(args: readonly unknown[]): OrderedOp {
  const [kind, ...rest] = args;
  if (kind === 'get') return { kind, keys: keysOf(rest) };
  if (kind === 'aggregate' && typeof rest[0] === 'string')
    return { kind, name: rest[0], args: rest.slice(1) };
  if (kind !== 'put' || typeof rest[0] !== 'string' || rest.length % 2 === 0)
    throw new DhtRequestError('an ordered operation is put, get or aggregate with its arguments');
  const entries: Array<{ key: string; value: DhtValue }> = [];
  for (let i = 1; i < rest.length; i += 2) {
    const [key, value] = [rest[i], rest[i + 1]];
    if (typeof key !== 'string' || !isValue(value))
      throw new DhtRequestError('an ordered put carries (string key, string or bytes value) pairs');
    entries.push({ key, value });
  }
  return { kind, writer: rest[0], entries };
}

/** Replies travel flat in the group codec's compact layout ([kind, ...fields]; a read as owned, value, counter,
 *  writer per key), as bytes the reply carries as they are; only an aggregate's part, whatever the application
 *  returns, goes through V8's structured clone. */
export function encodeReply(reply: ShardReply): unknown {
  if (reply.kind === 'partial') return ['partial', reply.value];
  return encodeGroupCall(0, flatReply(reply));
}

function flatReply(reply: Exclude<ShardReply, { kind: 'partial' }>): unknown[] {
  switch (reply.kind) {
    case 'stored':
      return ['stored', reply.fingerprint];
    case 'notOwner':
      return ['notOwner', reply.fingerprint, reply.key];
    case 'full':
      return ['full', reply.bound, reply.limit];
    case 'invalid':
      return ['invalid', reply.reason];
    case 'busy':
      return ['busy', reply.limit];
    case 'applied':
      return ['applied'];
    case 'values': {
      const flat: unknown[] = ['values'];
      reply.values.forEach((v, i) =>
        flat.push(reply.owned[i], v?.value ?? null, v?.version.t ?? 0, v?.version.w ?? ''),
      );
      return flat;
    }
  }
}

export function decodeReply(raw: unknown): ShardReply {
  if (Array.isArray(raw) && raw[0] === 'partial') return { kind: 'partial', value: raw[1] };
  if (!(raw instanceof Uint8Array)) throw new DhtRequestError('a DHT reply is bytes or an aggregate part');
  const flat = decodeGroupCall(raw).args;
  const [kind, a, b] = flat as [string, unknown, unknown];
  switch (kind) {
    case 'stored':
      return { kind, fingerprint: a as number };
    case 'notOwner':
      return { kind, fingerprint: a as number, key: b as string };
    case 'full':
      return { kind, bound: a as 'maxEntries' | 'maxStoredBytes', limit: b as number };
    case 'invalid':
      return { kind, reason: a as string };
    case 'busy':
      return { kind, limit: a as number };
    case 'applied':
      return { kind };
    case 'values':
      return valuesOf(flat);
  }
  throw new DhtRequestError(`unknown DHT reply "${String(kind)}"`);
}

function valuesOf(flat: readonly unknown[]): ShardReply {
  const owned: boolean[] = [];
  const values: ReadValue[] = [];
  for (let i = 1; i + 3 < flat.length; i += 4) {
    owned.push(flat[i] as boolean);
    const value = flat[i + 1] as DhtValue | null;
    values.push(
      value === null ? null : { value, version: { t: flat[i + 2] as number, w: flat[i + 3] as string } },
    );
  }
  return { kind: 'values', owned, values };
}

function isValue(value: unknown): value is DhtValue {
  return typeof value === 'string' || value instanceof Uint8Array;
}

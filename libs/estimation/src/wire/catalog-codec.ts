import type { CatalogChannel, CatalogPmu, PmuCatalog } from '../catalog/pmu-catalog';
import { WireFormatError } from '../errors/wire-format-error';

const MAGIC = [0x47, 0x43, 0x53, 0x43]; // 'GCSC'
const MAX_CATALOG_BYTES = 64 * 1024 * 1024;

/**
 * The catalog travels rarely (a configuration change, a view change), so it is
 * UTF-8 JSON behind a 4-byte magic: readable in a capture, validated field by
 * field on the way in.
 */
export function encodeCatalog(c: PmuCatalog): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify({ version: c.version, pmus: c.pmus }));
  const out = new Uint8Array(4 + body.length);
  out.set(MAGIC, 0);
  out.set(body, 4);
  return out;
}

export function decodeCatalog(bytes: Uint8Array): PmuCatalog {
  const fail = (reason: string): never => {
    throw new WireFormatError('catalog', reason);
  };
  if (!(bytes instanceof Uint8Array) || bytes.length < 4) fail('expected at least 4 bytes');
  if (MAGIC.some((m, i) => bytes[i] !== m)) fail('bad magic (not a GridCloud PMU catalog)');
  if (bytes.length > MAX_CATALOG_BYTES) fail(`${bytes.length} bytes, over ${MAX_CATALOG_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4)));
  } catch (error) {
    fail(`body is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const o = raw as { version?: unknown; pmus?: unknown };
  if (typeof o !== 'object' || o === null) fail('body is not an object');
  if (!isUint32(o.version)) fail('version is not an unsigned 32-bit integer');
  if (!Array.isArray(o.pmus)) fail('pmus is not an array');
  return { version: o.version as number, pmus: (o.pmus as unknown[]).map((p, i) => pmuOf(p, i, fail)) };
}

function pmuOf(raw: unknown, i: number, fail: (reason: string) => never): CatalogPmu {
  const p = raw as Record<string, unknown>;
  if (typeof p !== 'object' || p === null) fail(`pmus[${i}] is not an object`);
  if (!isUint16(p.idcode)) fail(`pmus[${i}].idcode is not a 16-bit IDCODE`);
  if (typeof p.station !== 'string') fail(`pmus[${i}].station is not a string`);
  if (!isUint16(p.cfgcnt)) fail(`pmus[${i}].cfgcnt is not a 16-bit count`);
  if (!Array.isArray(p.channels)) fail(`pmus[${i}].channels is not an array`);
  const channels = (p.channels as unknown[]).map((c, k): CatalogChannel => {
    const ch = c as Record<string, unknown>;
    if (typeof ch !== 'object' || ch === null || typeof ch.name !== 'string')
      fail(`pmus[${i}].channels[${k}] needs a string name`);
    if (typeof ch.isCurrent !== 'boolean' && ch.isCurrent !== null)
      fail(`pmus[${i}].channels[${k}].isCurrent is neither a boolean nor null`);
    if (ch.phunitScale !== null && (typeof ch.phunitScale !== 'number' || !Number.isFinite(ch.phunitScale)))
      fail(`pmus[${i}].channels[${k}].phunitScale is neither a finite number nor null`);
    return {
      name: ch.name as string,
      isCurrent: ch.isCurrent as boolean | null,
      phunitScale: ch.phunitScale as number | null,
    };
  });
  const analogs = p.analogs === undefined ? undefined : names(p.analogs, `pmus[${i}].analogs`, fail);
  if (p.digitals !== undefined && !Array.isArray(p.digitals)) fail(`pmus[${i}].digitals is not an array`);
  const digitals = (p.digitals as unknown[] | undefined)?.map((w, k) =>
    names(w, `pmus[${i}].digitals[${k}]`, fail, 16),
  );
  return {
    idcode: p.idcode as number,
    station: p.station as string,
    cfgcnt: p.cfgcnt as number,
    channels,
    ...(analogs === undefined ? {} : { analogs }),
    ...(digitals === undefined ? {} : { digitals }),
  };
}

/** An array of strings (of exactly `length` when given), or a failure naming `where`. */
function names(raw: unknown, where: string, fail: (reason: string) => never, length?: number): string[] {
  if (!Array.isArray(raw) || raw.some((n) => typeof n !== 'string'))
    fail(`${where} is not an array of strings`);
  if (length !== undefined && (raw as string[]).length !== length)
    fail(`${where} has ${(raw as string[]).length} names, not ${length}`);
  return raw as string[];
}

function isUint32(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
}

function isUint16(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff;
}

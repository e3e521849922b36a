import { IngestConfigError } from '../errors/ingest-config-error';

/** `--name value` and `--name=value` pairs; a flag with no value is 'true'. Repeated flags keep every value. */
export function parseFlags(argv: readonly string[], known: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new IngestConfigError(`unexpected argument '${arg}'; flags look like --name value`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!known.includes(name)) throw new IngestConfigError(`unknown flag --${name}; known flags: ${known.map((k) => `--${k}`).join(' ')}`);
    let value = 'true';
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/** A numeric flag validated against its range; the flag name carries its unit. */
export function numberFlag(flags: Map<string, string[]>, name: string, fallback: number, min: number, max: number, integer = false): number {
  const raw = flags.get(name)?.at(-1);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new IngestConfigError(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got '${raw}'`);
  }
  return v;
}

export function stringFlag(flags: Map<string, string[]>, name: string): string | undefined {
  return flags.get(name)?.at(-1);
}

/** `host:port` with a port in [0, 65535]. */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new IngestConfigError(`--${flag} must be host:port with a port in [0, 65535], got '${text}'`);
  }
  return { host: text.slice(0, at), port };
}

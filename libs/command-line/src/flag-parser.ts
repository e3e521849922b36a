/** Makes the error a service throws for a bad flag (its own typed configuration error). */
export type FlagErrorFactory = (message: string) => Error;

/** Parsed `--name value` flags; a repeated flag keeps every value in order. */
export type Flags = Map<string, string[]>;

/** The flag readers of one service, all throwing that service's configuration error. */
export interface FlagParser {
  /** `--name value` and `--name=value` pairs; a flag with no value is 'true'. Unknown flags are refused. */
  parseFlags(argv: readonly string[], known: readonly string[]): Flags;
  /** A numeric flag validated against its range; the flag's name carries its unit. */
  numberFlag(
    flags: Flags,
    name: string,
    fallback: number,
    min: number,
    max: number,
    integer?: boolean,
  ): number;
  /** The last value of a string flag, if given. */
  stringFlag(flags: Flags, name: string): string | undefined;
  /** `host:port` with a port in [0, 65535]; `flag` names the flag in the error. */
  parseHostPort(text: string, flag: string): { host: string; port: number };
}

/**
 * Flag parsing shared by the services' command lines. Each service passes the
 * constructor of its own configuration error, so its callers can tell a bad
 * command line (print usage, exit 2) from a failure at run time.
 */
export function flagParser(fail: FlagErrorFactory): FlagParser {
  return {
    parseFlags(argv, known) {
      const out: Flags = new Map();
      for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i];
        if (!arg.startsWith('--')) throw fail(`unexpected argument '${arg}'; flags look like --name value`);
        const eq = arg.indexOf('=');
        const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
        if (!known.includes(name))
          throw fail(`unknown flag --${name}; known flags: ${known.map((k) => `--${k}`).join(' ')}`);
        let value = 'true';
        if (eq !== -1) value = arg.slice(eq + 1);
        else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
        out.set(name, [...(out.get(name) ?? []), value]);
      }
      return out;
    },
    numberFlag(flags, name, fallback, min, max, integer = false) {
      const raw = flags.get(name)?.at(-1);
      if (raw === undefined) return fallback;
      const v = Number(raw);
      if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
        throw fail(
          `--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got '${raw}'`,
        );
      }
      return v;
    },
    stringFlag(flags, name) {
      return flags.get(name)?.at(-1);
    },
    parseHostPort(text, flag) {
      const at = text.lastIndexOf(':');
      const port = Number(text.slice(at + 1));
      if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw fail(`--${flag} must be host:port with a port in [0, 65535], got '${text}'`);
      }
      return { host: text.slice(0, at), port };
    },
  };
}

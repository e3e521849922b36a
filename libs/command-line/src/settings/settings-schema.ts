import type { Setting, SettingErrorFactory } from './setting';

/** The typed settings a schema parses to: one property per definition. */
export type SettingsOf<D> = { -readonly [K in keyof D]: D[K] extends Setting<infer T> ? T : never };

type Env = Readonly<Record<string, string | undefined>>;

/** A service's settings: parse argv and the environment into one typed, checked object; generate --help. */
export interface SettingsSchema<D extends Record<string, Setting<unknown>>> {
  readonly definitions: D;
  /** Flags win over variables, variables over defaults. Throws the service's error naming the flag or variable. */
  parse(argv: readonly string[], env?: Env): SettingsOf<D>;
  /** Whether the command line asks for --help (then print help() and exit 0). */
  wantsHelp(argv: readonly string[]): boolean;
  help(): string;
}

/** One flag seen on the command line: the definition key and every value given, in order. */
interface Given {
  readonly source: string;
  readonly values: string[];
}

const HELP_COLUMN = 34;

/**
 * Declares the settings of a service. `fail` makes the service's own configuration error, so its main can tell a
 * bad setting (one line, exit 2) from a failure at run time. Definitions are checked here: flags, aliases and
 * variables must be distinct.
 */
export function settingsSchema<D extends Record<string, Setting<unknown>>>(
  usage: string,
  definitions: D,
  fail: SettingErrorFactory,
): SettingsSchema<D> {
  const byFlag = indexFlags(definitions);
  return {
    definitions,
    parse(argv, env = {}) {
      const given = readArgv(argv, byFlag, definitions, fail);
      const out: Record<string, unknown> = {};
      for (const [key, def] of Object.entries(definitions))
        out[key] = resolve(def, given.get(key), env, fail);
      return out as SettingsOf<D>;
    },
    wantsHelp: (argv) => argv.includes('--help') || argv.includes('-h'),
    help: () => helpText(usage, definitions),
  };
}

function indexFlags(definitions: Record<string, Setting<unknown>>): Map<string, string> {
  const byFlag = new Map<string, string>();
  const envs = new Set<string>();
  for (const [key, def] of Object.entries(definitions)) {
    for (const flag of [def.flag, ...def.aliases]) {
      if (flag === 'help' || byFlag.has(flag)) throw new Error(`settings: --${flag} is defined twice`);
      byFlag.set(flag, key);
    }
    if (envs.has(def.env)) throw new Error(`settings: ${def.env} is defined twice`);
    envs.add(def.env);
  }
  return byFlag;
}

/** `--name value`, `--name=value`, and a bare `--switch`; unknown flags and stray words are refused. */
function readArgv(
  argv: readonly string[],
  byFlag: Map<string, string>,
  definitions: Record<string, Setting<unknown>>,
  fail: SettingErrorFactory,
): Map<string, Given> {
  const given = new Map<string, Given>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--'))
      throw fail(`unexpected argument '${arg}'; flags look like --name value (see --help)`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const key = byFlag.get(name);
    if (key === undefined) throw fail(`unknown flag --${name} (see --help for the flags)`);
    const def = definitions[key];
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (def.takesValue) {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--'))
        throw fail(`--${name} needs a value: ${def.doc}`);
      value = argv[++i];
    } else if (argv[i + 1] === 'true' || argv[i + 1] === 'false') value = argv[++i];
    else value = 'true';
    const entry = given.get(key) ?? { source: `--${name}`, values: [] };
    entry.values.push(value);
    given.set(key, entry);
  }
  return given;
}

function resolve(
  def: Setting<unknown>,
  given: Given | undefined,
  env: Env,
  fail: SettingErrorFactory,
): unknown {
  if (given !== undefined) return def.read(given.values, given.source, fail);
  const text = env[def.env];
  if (text !== undefined && text !== '') {
    const values = def.splitEnv(text);
    if (values.length > 0) return def.read(values, def.env, fail);
  }
  return def.absent(fail);
}

function helpText(usage: string, definitions: Record<string, Setting<unknown>>): string {
  const lines = Object.values(definitions).map((def) => {
    const head = `  --${def.flag}${def.metavar ? ` ${def.metavar}` : ''}`;
    const aliases = def.aliases.length > 0 ? `; also --${def.aliases.join(', --')}` : '';
    return `${head.padEnd(HELP_COLUMN - 1)} ${def.doc} (${def.summary}; ${def.env}${aliases})`;
  });
  return [
    usage,
    '',
    ...lines,
    '',
    'Each flag may also be given by the environment variable shown; a flag wins.',
  ].join('\n');
}

/** Makes the error a service throws for a bad setting (its own typed configuration error). */
export type SettingErrorFactory = (message: string) => Error;

/**
 * One setting of a service: its flag, its environment variable, how to read a value, its default and a one-line
 * doc. `T` is the parsed type (with `undefined` when the setting is optional and has no default).
 */
export interface Setting<T> {
  readonly flag: string;
  /** Other flags accepted for the same setting (earlier names kept working). */
  readonly aliases: readonly string[];
  readonly env: string;
  readonly doc: string;
  /** What the value looks like in --help: `N`, `HOST:PORT`, `a|b|c`. */
  readonly metavar: string;
  /** Type, range, unit and default, for --help. */
  readonly summary: string;
  /** Booleans take no value: they consume the next argument only if it is `true` or `false`. */
  readonly takesValue: boolean;
  /** Reads every occurrence of the flag (or the variable's text, split as the kind splits); `source` names where
   *  the values came from (`--fps`, `GRIDCLOUD_FPS`) in errors. */
  read(values: readonly string[], source: string, fail: SettingErrorFactory): T;
  /** The value when neither the flag nor the variable is given; fails when the setting is required. */
  absent(fail: SettingErrorFactory): T;
  /** Splits an environment variable's text into values (lists split on commas). */
  splitEnv(text: string): string[];
}

export interface SettingOptions {
  readonly flag: string;
  readonly doc: string;
  /** Default `GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>`. */
  readonly env?: string;
  readonly aliases?: readonly string[];
}

export interface Presence<T> {
  readonly default?: T;
  readonly required?: true;
}

/** The parsed type of a setting built with options `O`: never undefined with a default or when required. */
export type ValueOf<T, O> = O extends { readonly default: unknown } | { readonly required: true }
  ? T
  : T | undefined;

/** How values of one type read from text. */
export interface Kind<T> {
  readonly metavar: string;
  /** Type, range and unit, e.g. `integer 1..240 frames/s`. */
  readonly description: string;
  readonly takesValue?: boolean;
  /** Reads the values given; a scalar kind keeps the last one (a repeated flag overrides), a list keeps all. */
  read(values: readonly string[], source: string, fail: SettingErrorFactory): T;
  splitEnv?(text: string): string[];
  show?(value: T): string;
}

/** `fps` -> `GRIDCLOUD_FPS`, `vsync-seeds` -> `GRIDCLOUD_VSYNC_SEEDS`. */
export function envName(flag: string): string {
  return `GRIDCLOUD_${flag.replace(/-/g, '_').toUpperCase()}`;
}

const FLAG = /^[a-z][a-z0-9-]*$/;

/** Builds a Setting from a kind (how values read) and the common options. */
export function makeSetting<T, O extends SettingOptions & Presence<T>>(
  kind: Kind<T>,
  options: O,
): Setting<ValueOf<T, O>> {
  for (const flag of [options.flag, ...(options.aliases ?? [])])
    if (!FLAG.test(flag)) throw new Error(`setting flag '${flag}' must be kebab-case`);
  if (options.doc.trim().length === 0) throw new Error(`setting --${options.flag} needs a doc line`);
  const hasDefault = options.default !== undefined;
  const shown = hasDefault ? `default ${(kind.show ?? String)(options.default as T)}` : '';
  const summary = [kind.description, shown, options.required ? 'required' : '']
    .filter((p) => p.length > 0)
    .join(', ');
  return {
    flag: options.flag,
    aliases: options.aliases ?? [],
    env: options.env ?? envName(options.flag),
    doc: options.doc,
    metavar: kind.metavar,
    summary,
    takesValue: kind.takesValue ?? true,
    read: (values, source, fail) => kind.read(values, source, fail) as ValueOf<T, O>,
    absent(fail) {
      if (options.required && !hasDefault) throw fail(`--${options.flag} is required: ${options.doc}`);
      return options.default as ValueOf<T, O>;
    },
    splitEnv: (text) => (kind.splitEnv ? kind.splitEnv(text) : [text]),
  };
}

/** A kind of one value: parses the last value given. `parse` returns the value, or what was expected. */
export function scalarKind<T>(
  metavar: string,
  description: string,
  parse: (text: string) => { value: T } | { expected: string },
  extra: Pick<Kind<T>, 'takesValue' | 'show'> = {},
): Kind<T> {
  return {
    metavar,
    description,
    ...extra,
    read(values, source, fail) {
      const text = values.at(-1)!;
      const parsed = parse(text);
      if ('expected' in parsed) throw fail(`${source} must be ${parsed.expected}, got '${text}'`);
      return parsed.value;
    },
  };
}

/** A list: every occurrence of the flag, each split on commas, every item read by `item`. */
export function listKind<T>(item: Kind<T>): Kind<T[]> {
  return {
    metavar: `${item.metavar}[,${item.metavar}...]`,
    description: `list of ${item.description}, comma-separated or repeated`,
    read: (values, source, fail) => values.flatMap(splitList).map((text) => item.read([text], source, fail)),
    splitEnv: splitList,
    show: (value) => (value.length === 0 ? 'none' : value.map((v) => (item.show ?? String)(v)).join(',')),
  };
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

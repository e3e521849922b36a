import {
  listKind,
  makeSetting,
  scalarKind,
  type Kind,
  type Presence,
  type Setting,
  type SettingOptions,
  type ValueOf,
} from './setting';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

interface Range {
  readonly min: number;
  readonly max: number;
  /** Shown in --help and in errors, e.g. `ms`, `frames/s`; the flag's name carries it too. */
  readonly unit?: string;
}

function rangeText(r: Range): string {
  return `${r.min}..${r.max}${r.unit ? ` ${r.unit}` : ''}`;
}

function numberKind(r: Range, integer: boolean): Kind<number> {
  const what = `${integer ? 'an integer' : 'a number'} in ${rangeText(r)}`;
  return scalarKind<number>('N', `${integer ? 'integer' : 'number'} ${rangeText(r)}`, (text) => {
    const value = text.trim() === '' ? NaN : Number(text);
    const ok =
      Number.isFinite(value) && value >= r.min && value <= r.max && (!integer || Number.isInteger(value));
    return ok ? { value } : { expected: what };
  });
}

const hostPortKind: Kind<HostPort> = scalarKind<HostPort>(
  'HOST:PORT',
  'host:port',
  (text) => {
    const at = text.lastIndexOf(':');
    const port = Number(text.slice(at + 1));
    const ok =
      at > 0 && text.slice(at + 1).length > 0 && Number.isInteger(port) && port >= 0 && port <= 65_535;
    return ok
      ? { value: { host: text.slice(0, at), port } }
      : { expected: 'host:port with a port in 0..65535' };
  },
  { show: (v) => `${v.host}:${v.port}` },
);

const stringKind: Kind<string> = scalarKind<string>('TEXT', 'text', (text) =>
  text.length > 0 ? { value: text } : { expected: 'a non-empty text' },
);

const pathKind: Kind<string> = scalarKind<string>('PATH', 'path', (text) =>
  text.length > 0 ? { value: text } : { expected: 'a file path' },
);

const booleanKind: Kind<boolean> = scalarKind<boolean>(
  '',
  'switch',
  (text) => {
    if (text === 'true' || text === '1') return { value: true };
    if (text === 'false' || text === '0') return { value: false };
    return { expected: 'true or false' };
  },
  { takesValue: false },
);

function enumKind<const V extends string>(values: readonly V[]): Kind<V> {
  return scalarKind<V>(values.join('|'), `one of ${values.join(', ')}`, (text) =>
    (values as readonly string[]).includes(text)
      ? { value: text as V }
      : { expected: `one of ${values.join(', ')}` },
  );
}

/** A port, or `off` (null) for a listener the service should not open. */
const portOrOffKind: Kind<number | null> = scalarKind<number | null>(
  'PORT|off',
  'port 0..65535 (0 = ephemeral) or off',
  (text) => {
    if (text === 'off') return { value: null };
    const port = Number(text);
    return text.trim() !== '' && Number.isInteger(port) && port >= 0 && port <= 65_535
      ? { value: port }
      : { expected: 'a port in 0..65535 or off' };
  },
  { show: (v) => (v === null ? 'off' : String(v)) },
);

type Options<T> = SettingOptions & Presence<T>;

/** How a value of a service's own syntax reads, e.g. `BRANCH@SECONDS`. */
export interface CustomSyntax<T> {
  readonly metavar: string;
  readonly description: string;
  readonly parse: (text: string) => { value: T } | { expected: string };
  readonly show?: (value: T) => string;
}

function customKind<T>(syntax: CustomSyntax<T>): Kind<T> {
  return scalarKind<T>(syntax.metavar, syntax.description, syntax.parse, { show: syntax.show });
}

/**
 * The setting builders. Each takes the flag, a one-line doc, optionally the variable (default
 * `GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>`) and aliases, and a `default` or `required: true`; without either the parsed
 * value may be undefined (lists default to empty).
 */
export const setting = {
  int<O extends Options<number> & Range>(o: O): Setting<ValueOf<number, O>> {
    return makeSetting(numberKind(o, true), o);
  },
  number<O extends Options<number> & Range>(o: O): Setting<ValueOf<number, O>> {
    return makeSetting(numberKind(o, false), o);
  },
  string<O extends Options<string>>(o: O): Setting<ValueOf<string, O>> {
    return makeSetting(stringKind, o);
  },
  path<O extends Options<string>>(o: O): Setting<ValueOf<string, O>> {
    return makeSetting(pathKind, o);
  },
  /** `--flag` alone is true; `--flag=false`, or the variable set to true/false/1/0. Defaults to false. */
  boolean<O extends SettingOptions & { readonly default?: boolean }>(o: O): Setting<boolean> {
    return makeSetting(booleanKind, { ...o, default: o.default ?? false });
  },
  hostPort<O extends Options<HostPort>>(o: O): Setting<ValueOf<HostPort, O>> {
    return makeSetting(hostPortKind, o);
  },
  enum<const V extends string, O extends Options<NoInfer<V>>>(
    o: O & { readonly values: readonly V[] },
  ): Setting<ValueOf<V, O>> {
    return makeSetting(enumKind(o.values), o);
  },
  portOrOff<O extends Options<number | null>>(o: O): Setting<ValueOf<number | null, O>> {
    return makeSetting(portOrOffKind, o);
  },
  /** A value of the service's own syntax: `parse` returns `{ value }` or `{ expected }` (what the text should be). */
  custom<T, O extends Options<NoInfer<T>>>(o: O & CustomSyntax<T>): Setting<ValueOf<T, O>> {
    return makeSetting(customKind(o), o);
  },
  /** Values of the service's own syntax, comma-separated or from a repeated flag; defaults to empty. */
  customList<T>(o: SettingOptions & CustomSyntax<T>): Setting<T[]> {
    return makeSetting(listKind(customKind(o)), { ...o, default: [] as T[] });
  },
  /** Texts, comma-separated or from a repeated flag; defaults to empty. */
  list<O extends SettingOptions & { readonly default?: readonly string[] }>(o: O): Setting<string[]> {
    return makeSetting(listKind(stringKind), { ...o, default: [...(o.default ?? [])] });
  },
  /** host:port addresses, comma-separated or from a repeated flag; defaults to empty. */
  hostPortList<O extends SettingOptions & { readonly default?: readonly HostPort[] }>(
    o: O,
  ): Setting<HostPort[]> {
    return makeSetting(listKind(hostPortKind), { ...o, default: [...(o.default ?? [])] });
  },
};

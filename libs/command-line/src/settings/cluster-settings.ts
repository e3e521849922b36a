import fs from 'node:fs';
import { setting } from './setting-kinds';
import type { SettingsOf } from './settings-schema';
import type { SettingErrorFactory } from './setting';

export interface ClusterSettingsOptions {
  /** Earlier flag names a service keeps accepting, e.g. ingest's `vsync-bind-host`. */
  readonly vsyncHostAliases?: readonly string[];
  readonly vsyncPortAliases?: readonly string[];
}

/**
 * The settings every app of the cluster shares (its vsync address and seeds, the HTTP port of /health and /metrics,
 * the stats interval, the run time), to spread into the app's own schema.
 */
export function clusterSettings(options: ClusterSettingsOptions = {}) {
  return {
    vsyncHost: setting.string({
      flag: 'vsync-host',
      aliases: options.vsyncHostAliases,
      doc: 'interface the vsync process listens on',
      default: '127.0.0.1',
    }),
    vsyncPort: setting.int({
      flag: 'vsync-port',
      aliases: options.vsyncPortAliases,
      doc: 'port the vsync process listens on (0 = ephemeral)',
      min: 0,
      max: 65_535,
      default: 0,
    }),
    vsyncSeeds: setting.hostPortList({
      flag: 'vsync-seeds',
      doc: 'vsync processes to contact when joining the system; none: stay out of the system',
    }),
    vsyncSecretFile: setting.custom({
      flag: 'vsync-secret-file',
      doc: "file holding the cluster's shared vsync secret: every vsync link is then authenticated and encrypted, and a process without it can neither join, read nor inject (npm start makes one per run)",
      metavar: 'PATH',
      description: `readable file of ${MIN_SECRET_BYTES}+ bytes`,
      parse: readSecretFile,
      show: () => '(secret)',
    }),
    vsyncSecret: setting.custom({
      flag: 'vsync-secret',
      doc: 'the shared vsync secret itself, when no --vsync-secret-file is given; prefer the variable or the file, a flag shows in ps',
      metavar: 'TEXT',
      description: `text of ${MIN_SECRET_BYTES}+ bytes`,
      parse: (text: string) => secretText(text, 'a text'),
      show: () => '(secret)',
    }),
    vsyncTlsCert: tlsFile('cert', "this process's certificate (PEM)"),
    vsyncTlsKey: tlsFile('key', 'the private key of --vsync-tls-cert (PEM)'),
    vsyncTlsCa: tlsFile('ca', 'the CA (PEM) every peer certificate must chain to'),
    httpPort: setting.portOrOff({
      flag: 'http-port',
      doc: 'port of GET /health and GET /metrics (0 = ephemeral, off = none)',
      default: 0,
    }),
    statsIntervalMs: setting.int({
      flag: 'stats-interval-ms',
      doc: 'how often to print a {"event":"stats"} line (0 = never)',
      min: 0,
      max: 3_600_000,
      unit: 'ms',
      default: 0,
    }),
    durationS: setting.number({
      flag: 'duration-s',
      doc: 'stop after this long (0 = run until SIGTERM or Ctrl-C)',
      min: 0,
      max: 86_400 * 365,
      unit: 's',
      default: 0,
    }),
  };
}

/** One of the three files of mutual TLS on the vsync links (--vsync-tls-cert, -key, -ca: all three or none). */
function tlsFile(part: string, what: string) {
  return setting.custom({
    flag: `vsync-tls-${part}`,
    doc: `mutual TLS on every vsync link: ${what}; give --vsync-tls-cert, --vsync-tls-key and --vsync-tls-ca together`,
    metavar: 'PATH',
    description: 'readable PEM file',
    parse: readableFile,
  });
}

function readableFile(file: string): { value: string } | { expected: string } {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return { value: file };
  } catch (error) {
    return {
      expected: `a readable file (${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    };
  }
}

/** The vsync `tls` option the settings give: the three files, or undefined (plain TCP) when none is set. Only some of
 *  them is a configuration error, made by `fail` (the app's own, so it exits 2 naming the missing flag). */
export function vsyncTlsOf(
  settings: { readonly vsyncTlsCert?: string; readonly vsyncTlsKey?: string; readonly vsyncTlsCa?: string },
  fail: SettingErrorFactory = (message) => new Error(message),
): { certFile: string; keyFile: string; caFile: string } | undefined {
  const { vsyncTlsCert: certFile, vsyncTlsKey: keyFile, vsyncTlsCa: caFile } = settings;
  if (certFile === undefined && keyFile === undefined && caFile === undefined) return undefined;
  const missing = (flag: string): Error =>
    fail(`${flag}: missing; mutual TLS needs --vsync-tls-cert, --vsync-tls-key and --vsync-tls-ca together`);
  if (certFile === undefined) throw missing('--vsync-tls-cert');
  if (keyFile === undefined) throw missing('--vsync-tls-key');
  if (caFile === undefined) throw missing('--vsync-tls-ca');
  return { certFile, keyFile, caFile };
}

/** Shortest shared secret accepted, in bytes (as libs/vsync requires: the strength of its AES-256 keys). */
const MIN_SECRET_BYTES = 32;

function secretText(text: string, what: string): { value: string } | { expected: string } {
  const secret = text.trim();
  return Buffer.byteLength(secret, 'utf8') >= MIN_SECRET_BYTES
    ? { value: secret }
    : { expected: `${what} of at least ${MIN_SECRET_BYTES} bytes (e.g. 32 random bytes in base64)` };
}

function readSecretFile(file: string): { value: string } | { expected: string } {
  try {
    return secretText(fs.readFileSync(file, 'utf8'), `a file (${file})`);
  } catch (error) {
    return {
      expected: `a readable file (${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    };
  }
}

/** The vsync secret the settings give (the file wins over the text), or undefined for open links. */
export function vsyncSecretOf(settings: {
  readonly vsyncSecretFile?: string;
  readonly vsyncSecret?: string;
}): string | undefined {
  return settings.vsyncSecretFile ?? settings.vsyncSecret;
}

/** The parsed cluster settings: `vsyncHost`, `vsyncPort`, `vsyncSeeds`, `vsyncSecretFile` and `vsyncSecret` (see
 *  vsyncSecretOf), `httpPort` (null = off), `statsIntervalMs`, `durationS`. */
export type ClusterSettings = SettingsOf<ReturnType<typeof clusterSettings>>;

/** The cluster settings out of an app's parsed settings (which hold its own settings beside them). */
export function clusterSettingsOf(settings: ClusterSettings): ClusterSettings {
  const {
    vsyncHost,
    vsyncPort,
    vsyncSeeds,
    vsyncSecretFile,
    vsyncSecret,
    vsyncTlsCert,
    vsyncTlsKey,
    vsyncTlsCa,
    httpPort,
    statsIntervalMs,
    durationS,
  } = settings;
  return {
    vsyncHost,
    vsyncPort,
    vsyncSeeds,
    vsyncSecretFile,
    vsyncSecret,
    vsyncTlsCert,
    vsyncTlsKey,
    vsyncTlsCa,
    httpPort,
    statsIntervalMs,
    durationS,
  };
}

import { DashboardConfigError } from '../errors/dashboard-config-error';

/** Where the replay results are read: InfluxDB 1.x and its database. */
export interface InfluxTarget {
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
}

/** BullMQ's connection options (its own clients need maxRetriesPerRequest null). */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly password?: string;
  readonly db?: number;
  readonly maxRetriesPerRequest: null;
}

/** `http://[user:password@]host[:port]/database`, as the recorder's --influx-url (port 8086, database gridcloud). */
export function parseInfluxTarget(text: string): InfluxTarget {
  const url = parseUrl(text, '--influx-url', 'http://influxdb:8086/gridcloud', ['http:', 'https:']);
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, '')) || 'gridcloud';
  if (!/^[\w.-]+$/.test(database))
    throw new DashboardConfigError(
      `--influx-url names the database '${database}': use letters, digits, . _ -`,
    );
  return {
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    host: url.hostname,
    port: url.port === '' ? 8086 : Number(url.port),
    database,
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
  };
}

/** `redis://[:password@]host[:port][/db]`. */
export function parseRedisTarget(text: string): RedisTarget {
  const url = parseUrl(text, '--redis-url', 'redis://redis:6379', ['redis:', 'rediss:']);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db))
    throw new DashboardConfigError(`--redis-url names the database '${url.pathname.slice(1)}': use a number`);
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db,
    maxRetriesPerRequest: null,
  };
}

function parseUrl(text: string, flag: string, example: string, protocols: string[]): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || !protocols.includes(url.protocol))
    throw new DashboardConfigError(`${flag} must be a URL such as ${example}, got '${text}'`);
  return url;
}

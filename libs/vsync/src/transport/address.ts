import { AddressError } from './errors/address-error';

/** A parsed "host:port" address; IPv6 hosts are written in brackets ("[::1]:7000"). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses "host:port" (port 1..65535); throws AddressError naming the bad part. */
export function parseAddress(address: string): HostPort {
  if (typeof address !== 'string' || address.length === 0) throw new AddressError(String(address), 'empty');
  const colon = address.lastIndexOf(':');
  if (colon <= 0) throw new AddressError(address, 'no port');
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0) throw new AddressError(address, 'empty host');
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
    throw new AddressError(address, `port '${portText}' is not in 1..65535`);
  return { host, port };
}

/** Formats a host and port as an address string, bracketing IPv6 hosts. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

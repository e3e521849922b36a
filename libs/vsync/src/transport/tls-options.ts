import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions, type TlsOptions } from 'node:tls';
import { TransportConfigError } from './errors/transport-config-error';

/** Mutual TLS on every transport connection: this process's certificate and key, and the CA its peers' certificates
 *  must chain to. Each is given as PEM text or bytes, or as the path of a PEM file. */
export interface VsyncTlsOptions {
  readonly cert?: string | Uint8Array;
  readonly certFile?: string;
  readonly key?: string | Uint8Array;
  readonly keyFile?: string;
  readonly ca?: string | Uint8Array;
  readonly caFile?: string;
}

/** The PEM material of a validated VsyncTlsOptions. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/** Oldest protocol version either end accepts. */
const MIN_TLS_VERSION = 'TLSv1.3';

/** Reads and checks the material once, at construction: a missing file or a key that does not match its certificate
 *  fails here with the option named, not on the first connection. */
export function resolveTls(options: VsyncTlsOptions): TlsMaterial {
  if (options === null || typeof options !== 'object')
    throw new TransportConfigError('tls', 'must be an object { cert|certFile, key|keyFile, ca|caFile }');
  const material = {
    cert: pem(options, 'cert'),
    key: pem(options, 'key'),
    ca: pem(options, 'ca'),
  };
  try {
    createSecureContext({ ...material, minVersion: MIN_TLS_VERSION });
  } catch (error) {
    throw new TransportConfigError(
      'tls',
      `the certificate, key and CA do not load: ${(error as Error).message}`,
    );
  }
  return material;
}

function pem(options: VsyncTlsOptions, name: 'cert' | 'key' | 'ca'): Buffer {
  const inline = options[name];
  const file = options[`${name}File`];
  if ((inline === undefined) === (file === undefined))
    throw new TransportConfigError(`tls.${name}`, `give exactly one of tls.${name} and tls.${name}File`);
  if (inline !== undefined) {
    if (typeof inline !== 'string' && !(inline instanceof Uint8Array))
      throw new TransportConfigError(`tls.${name}`, 'must be PEM text or bytes');
    return Buffer.from(inline);
  }
  try {
    return readFileSync(file!);
  } catch (error) {
    throw new TransportConfigError(
      `tls.${name}File`,
      `cannot read ${String(file)}: ${(error as Error).message}`,
    );
  }
}

/** The acceptor asks for the dialer's certificate and refuses any that does not chain to the CA. */
export function tlsServerOptions(m: TlsMaterial): TlsOptions {
  return { ...m, requestCert: true, rejectUnauthorized: true, minVersion: MIN_TLS_VERSION };
}

/** The dialer refuses an acceptor whose certificate does not chain to the CA. Peers are dialed by address, so the
 *  certificate names no host to match: holding a certificate of the cluster's CA is the proof asked for. */
export function tlsDialOptions(m: TlsMaterial, host: string, port: number): ConnectionOptions {
  return {
    ...m,
    host,
    port,
    rejectUnauthorized: true,
    checkServerIdentity: () => undefined,
    minVersion: MIN_TLS_VERSION,
  };
}

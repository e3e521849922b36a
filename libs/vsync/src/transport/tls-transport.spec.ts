import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCa } from '../../../../test/support/tls-certs';
import { TransportConfigError } from './errors/transport-config-error';
import { TcpTransport } from './tcp-transport';
import type { VsyncTlsOptions } from './tls-options';

const transports: TcpTransport[] = [];

function transport(tls: VsyncTlsOptions, received: string[] = []): TcpTransport {
  const t = new TcpTransport({ tls }, (_from, bytes) => {
    received.push(Buffer.from(bytes).toString());
    return true;
  });
  transports.push(t);
  return t;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

describe('mutual TLS transport', () => {
  it('carries messages between peers of one CA and refuses a peer whose certificate comes from another CA', async () => {
    const ca = makeTestCa('cluster');
    const foreign = makeTestCa('foreign');
    const inbox: string[] = [];
    const a = transport({ ...ca.issue('a'), caFile: ca.caFile }, inbox);
    const b = transport({ ...ca.issue('b'), caFile: ca.caFile });
    const mallory = transport({ ...foreign.issue('m'), caFile: foreign.caFile });
    const impostor = transport({ ...foreign.issue('i'), caFile: ca.caFile });
    const [addressA] = await Promise.all([a.start(), b.start(), mallory.start(), impostor.start()]);

    b.send(addressA, Buffer.from('over tls'));
    await until(() => inbox.includes('over tls'));
    mallory.send(addressA, Buffer.from('forged'));
    impostor.send(addressA, Buffer.from('forged too'));
    await until(() => a.stats().tlsRefused >= 2);
    expect(inbox).toEqual(['over tls']);
    expect(mallory.stats().tlsRefused + impostor.stats().tlsRefused).toBeGreaterThan(0);
  });

  it('names the option when the material is missing or does not load', () => {
    expect(() => transport({ certFile: '/nonexistent.pem', keyFile: 'k', caFile: 'c' })).toThrow(
      TransportConfigError,
    );
    expect(() => transport({ cert: 'not a pem', key: 'x', ca: 'y' })).toThrow(/tls/);
    expect(() => transport({ key: 'x', ca: 'y' })).toThrow(/tls\.cert/);
  });
});

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError } from '@gridcloud/command-line';
import { TcpPmuServer } from './tcp-pmu-server';

describe('TcpPmuServer.listen', () => {
  const servers: net.Server[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('refuses a busy address with a ListenError naming the flag and the address, not a bare EADDRINUSE', async () => {
    const busy = net.createServer();
    servers.push(busy);
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    const sim = new TcpPmuServer(
      () => undefined,
      { maxSocketBufferBytes: 1024, maxTcpClients: 1 },
      () => undefined,
    );
    const failure = sim.listen('127.0.0.1', port);
    await expect(failure).rejects.toBeInstanceOf(ListenError);
    await expect(failure).rejects.toThrow(
      `--tcp 127.0.0.1:${port} cannot be bound: the address is already in use`,
    );
  });
});

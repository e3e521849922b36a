import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError } from '@gridcloud/command-line';
import { parseSimOptions } from '../config/sim-options';
import { casePath } from '../testing/case-files';
import { PmuSimApp } from './pmu-sim-app';

describe('PmuSimApp --tcp', () => {
  const servers: net.Server[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('refuses a busy address with a ListenError naming the flag and the address, not a bare EADDRINUSE', async () => {
    const busy = net.createServer();
    servers.push(busy);
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    const app = new PmuSimApp(
      parseSimOptions(['--case', casePath('case14.m'), '--tcp', `127.0.0.1:${port}`]),
      () => undefined,
    );
    const failure = app.start();
    await expect(failure).rejects.toBeInstanceOf(ListenError);
    await expect(failure).rejects.toThrow(
      `--tcp 127.0.0.1:${port} cannot be bound: the address is already in use`,
    );
    await app.stop();
  });
});

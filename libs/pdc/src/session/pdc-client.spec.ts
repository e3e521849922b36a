import { afterEach, describe, expect, it } from 'vitest';
import {
  buildConfig,
  dataFrameFromMeasurements,
  encodeFrame,
  PmuServer,
  systemFrameTime,
  type PmuIdentity,
} from '@gridcloud/c37118';
import { PdcClient } from './pdc-client';
import { DEFAULT_SESSION_OPTIONS } from './session-options';

const identities = new Map<number, PmuIdentity>(
  [7, 8].map((idcode) => [
    idcode,
    {
      cfg2: buildConfig({
        idcode,
        dataRate: 30,
        pmus: [{ stationName: `S${idcode}`, idcode, phasors: ['V'] }],
      }),
    },
  ]),
);

function dataOf(idcode: number, k: number): Uint8Array {
  const cfg = identities.get(idcode)!.cfg2;
  const m = [{ phasors: [1 + k / 100, 0], freqHz: 60, rocofHzPerS: 0 }];
  return encodeFrame(dataFrameFromMeasurements(cfg, { soc: 1_700_000_000 + k, fracsec: 0 }, m), cfg);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('PdcClient against PmuServer (loopback sockets)', () => {
  let server: PmuServer | undefined;
  let client: PdcClient | undefined;

  afterEach(async () => {
    client?.stop();
    await server?.close();
  });

  it('asks one stream of a many-stream listener for CFG-2, turns it on, gets only its data, and turns it off on stop', async () => {
    server = new PmuServer((id) => identities.get(id), {
      host: '127.0.0.1',
      port: 0,
      maxConnections: 2,
      maxSendQueueBytes: 1 << 20,
      now: () => systemFrameTime(),
    });
    const { port } = await server.listen();
    const seen: number[] = [];
    const states: string[] = [];
    client = new PdcClient(
      { host: '127.0.0.1', port, session: { ...DEFAULT_SESSION_OPTIONS, idcode: 8 }, maxFrameBytes: 4096 },
      {
        onData: (view) => seen.push(view.idcode),
        onEffect: (e) => (e.type === 'state' ? states.push(e.to) : undefined),
        onReject: (r) => expect.fail(r.message),
      },
    );
    client.start();
    await until(() => client?.state === 'streaming' && server?.streamingConnections === 1, 'the turn-on');
    for (let k = 0; k < 5; k += 1) {
      server.publish(7, dataOf(7, k));
      server.publish(8, dataOf(8, k));
    }
    await until(() => seen.length === 5, 'five data frames');
    expect(seen).toEqual([8, 8, 8, 8, 8]);
    expect(states).toEqual(['connecting', 'awaiting-config', 'streaming']);
    client.stop();
    await until(() => server?.counters.commands === 3, 'the turn-off');
    expect(server.counters).toMatchObject({ connections: 1, commands: 3, refusedCommands: 0, framesSent: 5 });
  });

  it('backs off and reconnects when the listener goes away and comes back', async () => {
    const options = {
      host: '127.0.0.1',
      maxConnections: 2,
      maxSendQueueBytes: 1 << 20,
      now: () => systemFrameTime(),
    };
    server = new PmuServer((id) => identities.get(id), { ...options, port: 0 });
    const { port } = await server.listen();
    client = new PdcClient(
      {
        host: '127.0.0.1',
        port,
        session: { ...DEFAULT_SESSION_OPTIONS, idcode: 7, reconnectMinMs: 20, reconnectMaxMs: 50 },
        maxFrameBytes: 4096,
      },
      { onData: () => undefined },
    );
    client.start();
    await until(() => client?.state === 'streaming', 'the first session');
    await server.close();
    await until(() => client?.state === 'backoff' || client?.state === 'connecting', 'the loss');
    server = new PmuServer((id) => identities.get(id), { ...options, port });
    await server.listen();
    await until(() => client?.state === 'streaming', 'the session again');
  });
});

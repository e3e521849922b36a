import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { describe, expect, it } from 'vitest';

describe('socket.io smoke', () => {
  it('pushes a server event to a client and answers a client request with an ack', async () => {
    const http = createServer();
    const server = new Server(http);
    server.on('connection', (socket) => {
      socket.on('subscribe', (topic: string, ack: (reply: { ok: boolean; topic: string }) => void) => {
        void socket.join(topic);
        ack({ ok: true, topic });
        server.to(topic).emit('estimate', { bus: 1, vm: 1.06, vaDeg: 0 });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;

    const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    try {
      const estimate = new Promise((resolve) => client.once('estimate', resolve));
      const ack = await client.emitWithAck('subscribe', 'estimates');
      expect(ack).toEqual({ ok: true, topic: 'estimates' });
      expect(await estimate).toEqual({ bus: 1, vm: 1.06, vaDeg: 0 });
    } finally {
      client.close();
      await server.close();
    }
  });
});

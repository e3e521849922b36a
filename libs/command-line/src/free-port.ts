import net from 'node:net';

/** An ephemeral loopback port the OS just handed out (and took back): for a service whose address others must know
 *  before it starts, such as a role the cluster launcher restarts on the same address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Workload } from './workload';

/**
 * A bound the store cannot pass on this machine: the same batch bodies sent by one process over plain loopback TCP to
 * `peers` other processes (as the issuing replica multicasts every append to the two other replicas), each peer
 * reading every byte and answering one byte at the end. No ordering, no HTTP, no disk. Returns MB/s of the workload
 * (each byte sent to every peer).
 */
export async function tcpFanOutMBPerSec(workload: Workload, peers: number): Promise<number> {
  const sinks = await Promise.all(Array.from({ length: peers }, () => startSink(workload.bytes)));
  try {
    const sockets = await Promise.all(sinks.map((s) => connect(s.port)));
    const done = sockets.map(
      (socket) => new Promise<void>((resolve) => socket.once('data', () => resolve())),
    );
    const started = performance.now();
    for (const batches of workload.files)
      for (const batch of batches) {
        const drained = sockets.map((socket) =>
          socket.write(batch.body) ? Promise.resolve() : new Promise<void>((r) => socket.once('drain', r)),
        );
        await Promise.all(drained);
      }
    await Promise.all(done);
    const seconds = (performance.now() - started) / 1000;
    sockets.forEach((socket) => socket.destroy());
    return workload.bytes / 1e6 / seconds;
  } finally {
    sinks.forEach((s) => s.child.kill());
  }
}

/** A process that accepts one connection, reads `expected` bytes and answers one byte. */
const SINK = `
const net = require('node:net');
const expected = Number(process.argv[1]);
const server = net.createServer((socket) => {
  let got = 0;
  socket.on('data', (chunk) => { got += chunk.length; if (got >= expected) socket.write('k'); });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function startSink(expected: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', SINK, String(expected)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return { child, port };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { C37ConfigError } from '../errors/config-error';
import type { FrameReject } from '../codec/reject';
import { PmuSession, type FrameTime, type PmuIdentity, type PmuSessionEffect } from './pmu-session';

export interface PmuServerOptions {
  readonly host: string;
  /** 0 picks an ephemeral port. */
  readonly port: number;
  readonly maxFrameBytes: number;
  /** Most connected PDCs; later connections are closed at once. */
  readonly maxConnections: number;
  /** Per-connection unsent bytes above which data frames are dropped (and counted) instead of queued. */
  readonly maxSendQueueBytes: number;
  /** Clock for stamping configuration and header frames; injected so tests control it. */
  readonly now: () => FrameTime;
}

export interface PmuServerCounters {
  connections: number;
  commands: number;
  framesSent: number;
  framesDropped: number;
  rejects: number;
}

/**
 * A small C37.118 PMU over TCP: accepts PDC connections, answers commands
 * through a PmuSession per connection, and streams the data frames given to
 * `publish` to every connection that has sent "start". The protocol rules
 * live in PmuSession; this class only moves bytes.
 */
export class PmuServer {
  readonly counters: PmuServerCounters = {
    connections: 0,
    commands: 0,
    framesSent: 0,
    framesDropped: 0,
    rejects: 0,
  };
  private readonly server: Server;
  private readonly sessions = new Map<Socket, PmuSession>();
  onReject?: (reject: FrameReject) => void;

  constructor(
    private readonly identity: PmuIdentity,
    private readonly options: PmuServerOptions,
  ) {
    validate(options);
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  /** Number of connections that asked for data. */
  get streamingConnections(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.isStreaming) n += 1;
    return n;
  }

  publish(frame: Uint8Array): void {
    for (const [socket, session] of this.sessions) this.apply(socket, session.step({ type: 'data', frame }));
  }

  async close(): Promise<void> {
    for (const socket of this.sessions.keys()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.sessions.size >= this.options.maxConnections) {
      socket.destroy();
      return;
    }
    this.counters.connections += 1;
    const session = new PmuSession(this.identity, this.options.maxFrameBytes);
    this.sessions.set(socket, session);
    socket.setNoDelay(true);
    socket.on('data', (bytes) =>
      this.apply(socket, session.step({ type: 'received', bytes, now: this.options.now() })),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sessions.delete(socket));
  }

  private apply(socket: Socket, effects: PmuSessionEffect[]): void {
    for (const e of effects) {
      if (e.type === 'command') this.counters.commands += 1;
      else if (e.type === 'reject') {
        this.counters.rejects += 1;
        this.onReject?.(e.reject);
      } else if (socket.writableLength > this.options.maxSendQueueBytes) this.counters.framesDropped += 1;
      else {
        socket.write(e.bytes);
        this.counters.framesSent += 1;
      }
    }
  }
}

function validate(o: PmuServerOptions): void {
  const positive = (v: number, name: string): void => {
    if (!Number.isInteger(v) || v < 1)
      throw new C37ConfigError(`${name} must be a positive integer, got ${String(v)}`);
  };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)
    throw new C37ConfigError(`port must be 0..65535, got ${String(o.port)}`);
  positive(o.maxFrameBytes, 'maxFrameBytes');
  positive(o.maxConnections, 'maxConnections');
  positive(o.maxSendQueueBytes, 'maxSendQueueBytes');
}

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { C37ConfigError } from '../errors/config-error';
import type { FrameReject } from '../codec/reject';
import {
  MAX_COMMAND_FRAME_BYTES,
  PmuSession,
  type FrameTime,
  type PmuIdentity,
  type PmuSessionEffect,
  type PmuStreams,
} from './pmu-session';

export interface PmuServerOptions {
  readonly host: string;
  /** 0 picks an ephemeral port. */
  readonly port: number;
  /** Largest frame accepted from a PDC (commands are 18 bytes); default 1024. */
  readonly maxFrameBytes?: number;
  /** Most connected PDCs; later connections are closed at once (counted). */
  readonly maxConnections: number;
  /** Per-connection unsent bytes above which data frames are skipped (and counted) instead of queued. */
  readonly maxSendQueueBytes: number;
  /** Clock for stamping configuration and header frames; injected so tests control it. */
  readonly now: () => FrameTime;
}

export interface PmuServerCounters {
  connections: number;
  /** Connections closed at once because `maxConnections` were open. */
  refusedClients: number;
  commands: number;
  /** Commands for an IDCODE not served, unsupported commands, and frames that are not commands. */
  refusedCommands: number;
  /** Bytes from PDCs that were not a valid frame. */
  rejectedBytes: number;
  framesSent: number;
  /** Data frames not written because the connection's unsent bytes were over `maxSendQueueBytes`. */
  framesSkippedSlowClient: number;
}

/**
 * C37.118 over TCP, command driven, for any number of streams on one
 * listener: a PDC asks a stream (by IDCODE) for its header, CFG-1, CFG-2 or
 * CFG-3 and turns its data on or off; one connection may turn on several
 * streams. Every protocol rule lives in PmuSession; this class moves bytes
 * and keeps, from the sessions' effects, which connections each stream's
 * data goes to, so `publish` touches only those.
 */
export class PmuServer {
  readonly counters: PmuServerCounters = {
    connections: 0,
    refusedClients: 0,
    commands: 0,
    refusedCommands: 0,
    rejectedBytes: 0,
    framesSent: 0,
    framesSkippedSlowClient: 0,
  };
  /** Told of every refusal and reject, with the peer's address (for a log line). */
  onRefusal?: (peer: string, message: string, reject?: FrameReject) => void;
  private readonly server: Server;
  private readonly sessions = new Map<Socket, PmuSession>();
  private readonly subscribers = new Map<number, Set<Socket>>();
  private readonly streams: PmuStreams;

  /** `streams`: one identity (answering commands with any IDCODE, as a single PMU does) or a lookup by IDCODE. */
  constructor(
    streams: PmuIdentity | PmuStreams,
    private readonly options: PmuServerOptions,
  ) {
    validate(options);
    this.streams = typeof streams === 'function' ? streams : singleStream(streams);
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens; rejects with the socket error when the address cannot be bound (the caller names its flag). */
  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  /** Connections that turned at least one stream on. */
  get streamingConnections(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.streaming.size > 0) n += 1;
    return n;
  }

  /** Sends a stream's data frame to every connection that turned it on. */
  publish(idcode: number, frame: Uint8Array): void {
    const sockets = this.subscribers.get(idcode);
    if (sockets === undefined) return;
    for (const socket of sockets) this.write(socket, frame, true);
  }

  async close(): Promise<void> {
    for (const socket of this.sessions.keys()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.sessions.size >= this.options.maxConnections) {
      this.counters.refusedClients += 1;
      socket.destroy();
      return;
    }
    this.counters.connections += 1;
    const session = new PmuSession(this.streams, this.options.maxFrameBytes ?? MAX_COMMAND_FRAME_BYTES);
    this.sessions.set(socket, session);
    socket.setNoDelay(true);
    socket.on('data', (bytes) =>
      this.apply(socket, session.step({ type: 'received', bytes, now: this.options.now() })),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.apply(socket, session.close());
      this.sessions.delete(socket);
    });
  }

  private apply(socket: Socket, effects: readonly PmuSessionEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'send':
          this.write(socket, e.bytes, false);
          break;
        case 'command':
          this.counters.commands += 1;
          break;
        case 'subscribe':
          this.subscribersOf(e.idcode).add(socket);
          break;
        case 'unsubscribe':
          this.unsubscribe(socket, e.idcode);
          break;
        case 'refused':
          this.counters.refusedCommands += 1;
          this.onRefusal?.(peerOf(socket), e.message);
          break;
        case 'reject':
          this.counters.rejectedBytes += e.reject.bytes;
          this.onRefusal?.(peerOf(socket), `${e.reject.reason}: ${e.reject.message}`, e.reject);
          break;
      }
    }
  }

  /** Replies always go out; data frames wait for a slow PDC only up to `maxSendQueueBytes`. */
  private write(socket: Socket, bytes: Uint8Array, isData: boolean): void {
    if (isData && socket.writableLength > this.options.maxSendQueueBytes) {
      this.counters.framesSkippedSlowClient += 1;
      return;
    }
    socket.write(bytes);
    if (isData) this.counters.framesSent += 1;
  }

  private subscribersOf(idcode: number): Set<Socket> {
    let set = this.subscribers.get(idcode);
    if (set === undefined) {
      set = new Set();
      this.subscribers.set(idcode, set);
    }
    return set;
  }

  private unsubscribe(socket: Socket, idcode: number): void {
    const set = this.subscribers.get(idcode);
    set?.delete(socket);
    if (set?.size === 0) this.subscribers.delete(idcode);
  }
}

/** One stream answers every command, whatever its IDCODE: what a single PMU does. */
function singleStream(identity: PmuIdentity): PmuStreams {
  return () => identity;
}

function peerOf(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

function validate(o: PmuServerOptions): void {
  const positive = (v: number, name: string): void => {
    if (!Number.isInteger(v) || v < 1)
      throw new C37ConfigError(`${name} must be a positive integer, got ${String(v)}`);
  };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)
    throw new C37ConfigError(`port must be 0..65535, got ${String(o.port)}`);
  if (o.maxFrameBytes !== undefined) positive(o.maxFrameBytes, 'maxFrameBytes');
  positive(o.maxConnections, 'maxConnections');
  positive(o.maxSendQueueBytes, 'maxSendQueueBytes');
}

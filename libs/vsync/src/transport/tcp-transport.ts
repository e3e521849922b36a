import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { connect as connectTls, createServer as createTlsServer } from 'node:tls';
import { resolveTls, tlsDialOptions, tlsServerOptions, type TlsMaterial } from './tls-options';
import { formatAddress, parseAddress } from './address';
import { linkKey, secretProblem, type VsyncSecret } from '../security';
import { TransportConfigError } from './errors/transport-config-error';
import { Connection, type ConnectionEvents, type ConnectionOptions, type FrameBudget } from './connection';
import { FrameError } from './errors/frame-error';
import { MessageTooLargeError } from './errors/message-too-large-error';
import {
  FRAME_HEADER_BYTES,
  joinMessage,
  MESSAGE_PREFIX_BYTES,
  messageBytes,
  type OutgoingMessage,
} from './frame-format';
import { PeerChannel } from './peer-channel';
import { ReadSlab, readIntoSlab } from './read-slab';
import { GCM_TAG_BYTES } from '../security';
import { resolveTransportConfig, type TransportConfig } from './transport-config';
import { createTransportStats, type TransportStats } from './transport-stats';

/** Receives each message with the address of the peer bound to its connection at the hello. Returning false says
 *  its bytes were garbage, 'wrongSender' that it names another sender: either way the connection that carried it is
 *  closed and counted (rejectedFrames.undecodableMessage, rejectedFrames.wrongSender) like one carrying a bad frame. */
export type MessageHandler = (fromAddress: string, message: Uint8Array) => boolean | void | 'wrongSender';

/**
 * Moves opaque messages between processes over TCP, addressed by advertised "host:port". It keeps at most one
 * data-carrying connection per peer, batches small messages into frames, reconnects with capped backoff and
 * bounds what it queues. It gives no delivery guarantee across a broken connection: the protocol above
 * retransmits or excludes. Bad input from the network closes that connection and is counted, never thrown.
 */
export class TcpTransport {
  readonly config: TransportConfig;
  /** Largest message send() accepts: what fits in one frame next to the header and its length prefix. */
  readonly maxMessageBytes: number;
  private readonly counters: TransportStats = createTransportStats();
  private readonly channels = new Map<string, PeerChannel>();
  private readonly connections = new Set<Connection>();
  private readonly events: ConnectionEvents;
  private server: Server | undefined;
  private selfAddress: string | undefined;
  private loopback: Uint8Array[] = [];
  private loopbackBytes = 0;
  private loopbackTimer: NodeJS.Immediate | undefined;
  private idleSweep: NodeJS.Timeout | undefined;
  private closed = false;
  private linkKey: Buffer | undefined;
  /** Certificate, key and CA of mutual TLS, when configured. */
  private readonly tls: TlsMaterial | undefined;
  private readonly frameBudget: FrameBudget;
  private readonly queuedTotal = { usedBytes: 0 };
  /** Open inbound connections whose claimed address has not echoed its dial-back nonce yet (maxPendingDialBacks). */
  private readonly pendingDialBacks = new Set<Connection>();

  constructor(
    options: Partial<TransportConfig>,
    private readonly onMessage: MessageHandler,
  ) {
    this.config = resolveTransportConfig(options);
    this.maxMessageBytes =
      this.config.maxFrameBytes - FRAME_HEADER_BYTES - MESSAGE_PREFIX_BYTES - GCM_TAG_BYTES;
    this.linkKey = this.config.secret === undefined ? undefined : linkKey(this.config.secret);
    this.tls = this.config.tls === undefined ? undefined : resolveTls(this.config.tls);
    this.frameBudget = { usedBytes: 0, limitBytes: this.config.maxBufferedFrameBytesTotal };
    this.events = {
      onReady: (connection) => this.onReady(connection),
      onClaim: (connection) => this.onClaim(connection),
      onDialBack: (connection, nonce) => this.echo(connection.peerAddress!, nonce),
      onMessages: (connection, messages) => this.deliverFrom(connection, messages),
      onDrain: (connection) => this.channels.get(connection.peerAddress ?? '')?.onDrain(connection),
      onClose: (connection) => this.onConnectionClosed(connection),
    };
  }

  /** Listens on the bind address; resolves with the advertised address once the port is bound. */
  async start(): Promise<string> {
    if (this.server !== undefined) throw new Error('transport already started');
    const server = this.listen();
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.bindPort, this.config.bindHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // After listening, a server error (e.g. EMFILE on accept) must not crash the process; accept() sheds load.
    server.on('error', () => undefined);
    const bound = server.address();
    if (bound === null || typeof bound === 'string') throw new Error('server bound to a non-TCP address');
    this.selfAddress = this.config.advertiseAddress ?? formatAddress(this.config.bindHost, bound.port);
    const sweepMs = Math.max(50, Math.min(1_000, Math.floor(this.config.idleTimeoutMs / 4)));
    this.idleSweep = setInterval(() => this.closeIdle(), sweepMs);
    this.idleSweep.unref();
    return this.selfAddress;
  }

  /** A TCP server, or with tls a TLS server that asks every dialer for its certificate; a failed handshake is counted
   *  and its socket closed. */
  private listen(): Server {
    // Paused until accept() moves the socket's reads into a ReadSlab.
    if (this.tls === undefined)
      return createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    const server = createTlsServer(tlsServerOptions(this.tls), (socket) => this.accept(socket));
    server.on('tlsClientError', (_error, socket) => {
      this.counters.tlsRefused += 1;
      socket.destroy();
    });
    return server;
  }

  /** Requires the system's shared secret on every connection from now on; only before start(). */
  useSecret(secret: VsyncSecret): void {
    if (this.server !== undefined)
      throw new Error('useSecret after start(): the key must be set before listening');
    const problem = secretProblem(secret);
    if (problem !== undefined) throw new TransportConfigError('secret', problem);
    this.linkKey = linkKey(secret);
  }

  /** Whether connections are keyed (authenticated and sealed). */
  get secured(): boolean {
    return this.linkKey !== undefined;
  }

  /** The advertised address; available after start(). */
  get address(): string {
    if (this.selfAddress === undefined) throw new Error('transport not started: call start() first');
    return this.selfAddress;
  }

  /**
   * Queues a message for a peer (or for this process itself). Returns false when the peer's queue is full and
   * the message was dropped. Throws MessageTooLargeError or AddressError for input no peer could ever receive.
   */
  send(toAddress: string, message: OutgoingMessage): boolean {
    const self = this.address;
    if (this.closed) return false;
    const bytes = messageBytes(message);
    if (bytes > this.maxMessageBytes) throw new MessageTooLargeError(bytes, this.maxMessageBytes);
    if (toAddress === self) return this.sendToSelf(joinMessage(message));
    if (!this.channels.has(toAddress)) parseAddress(toAddress);
    return this.channelFor(toAddress).enqueue(message);
  }

  /** Cuts the channel to a peer: closes its connections and discards what is queued for it. */
  disconnect(address: string): void {
    const channel = this.channels.get(address);
    if (channel !== undefined) {
      this.channels.delete(address);
      channel.close();
    }
    for (const connection of this.connections) if (connection.peerAddress === address) connection.destroy();
  }

  /** A snapshot of the counters. */
  stats(): TransportStats {
    return structuredClone(this.counters);
  }

  /** Stops listening and closes every connection; queued messages are discarded. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.loopbackTimer !== undefined) clearImmediate(this.loopbackTimer);
    clearInterval(this.idleSweep);
    this.loopback = [];
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    for (const connection of [...this.connections]) connection.destroy();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.closed || this.connections.size >= this.config.maxConnections) {
      this.counters.connectionsRefused += 1;
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    // Reads land in a slab (see ReadSlab); none arrives before the connection below exists.
    const reading =
      this.tls === undefined
        ? readIntoSlab(socket, new ReadSlab((chunk) => connection.receive(chunk)).onread)
        : undefined;
    const connection = new Connection(
      reading ?? socket,
      'inbound',
      this.connectionOptions('inbound'),
      this.counters,
      this.events,
    );
    this.track(connection);
  }

  private dial(address: string): Connection {
    const { host, port } = parseAddress(address);
    // Reads land in a slab (see ReadSlab); none arrives before the connection below exists.
    const socket =
      this.tls === undefined
        ? connect({ host, port, onread: new ReadSlab((chunk) => connection.receive(chunk)).onread })
        : this.dialTls(host, port);
    const connection = new Connection(
      socket,
      'outbound',
      this.connectionOptions('outbound'),
      this.counters,
      this.events,
    );
    connection.peerAddress = address;
    return this.track(connection);
  }

  /** A TLS dial; an acceptor whose certificate fails verification ends the handshake with an error, counted. */
  private dialTls(host: string, port: number): Socket {
    const socket = connectTls(tlsDialOptions(this.tls!, host, port));
    let secured = false;
    socket.once('secureConnect', () => (secured = true));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (!secured && error.code !== 'ECONNREFUSED') this.counters.tlsRefused += 1;
    });
    return socket;
  }

  private track(connection: Connection): Connection {
    this.connections.add(connection);
    this.counters.connectionsOpened += 1;
    return connection;
  }

  /** A dial must connect within connectTimeoutMs; an accepted socket must say hello within helloTimeoutMs. */
  private connectionOptions(direction: 'inbound' | 'outbound'): ConnectionOptions {
    const handshakeTimeoutMs =
      direction === 'outbound' ? this.config.connectTimeoutMs : this.config.helloTimeoutMs;
    return {
      selfAddress: this.address,
      maxFrameBytes: this.config.maxFrameBytes,
      handshakeTimeoutMs,
      dialBackTimeoutMs: this.config.dialBackTimeoutMs,
      linkKey: this.linkKey,
      frameBudget: this.frameBudget,
    };
  }

  private channelFor(address: string): PeerChannel {
    let channel = this.channels.get(address);
    if (channel === undefined) {
      channel = new PeerChannel(
        address,
        this.address,
        this.config,
        this.counters,
        (peer) => this.dial(peer),
        this.queuedTotal,
      );
      this.channels.set(address, channel);
    }
    return channel;
  }

  private onReady(connection: Connection): void {
    this.pendingDialBacks.delete(connection);
    if (!this.admits(connection)) return;
    this.channelFor(connection.peerAddress!).adopt(connection);
  }

  /** Whether the address a connection names may be bound to it; if not, the connection is closed and counted. */
  private admits(connection: Connection): boolean {
    if (!this.usable(connection)) return false;
    const peer = connection.peerAddress!;
    if (this.connectionsNaming(peer) > this.config.maxConnectionsPerPeer) {
      this.counters.connectionsPerPeerRefused += 1;
      connection.destroy(new Error(`more than maxConnectionsPerPeer connections name ${peer}`));
      return false;
    }
    return true;
  }

  /** A peer claiming this process's own address is misconfigured (two processes advertising one address), and one
   *  whose address cannot be dialed back could never be reconnected to: both are rejected like bad frames. */
  private usable(connection: Connection): boolean {
    const peer = connection.peerAddress!;
    if (peer !== this.address && isDialable(peer)) return true;
    this.counters.rejectedFrames.malformed += 1;
    connection.destroy(new Error(`peer hello names unusable address '${peer}'`));
    return false;
  }

  /**
   * An open hello named an address: send the connection's nonce to that address, on a connection this process
   * dialed there (dialing one if there is none). Only the process listening there receives it, and it echoes it on
   * the connections it dialed here, one of which is this one if the hello was true.
   */
  private onClaim(connection: Connection): void {
    if (this.closed || !this.usable(connection)) return;
    // When full, the oldest claim goes rather than the newest: a true claim completes in about one round trip, so a
    // flood of false ones must outpace it to crowd it out, instead of simply holding every slot.
    if (this.pendingDialBacks.size >= this.config.maxPendingDialBacks) {
      const oldest = this.pendingDialBacks.values().next().value!;
      this.pendingDialBacks.delete(oldest);
      this.counters.dialBacksEvicted += 1;
      oldest.destroy(
        new Error(`evicted: maxPendingDialBacks (${this.config.maxPendingDialBacks}) claims pending`),
      );
    }
    this.pendingDialBacks.add(connection);
    const peer = connection.peerAddress!;
    if (this.sendOnDialed(peer, 'dialback', connection.dialBackNonce!) > 0) return;
    this.channelFor(peer).dialNow();
    this.sendOnDialed(peer, 'dialback', connection.dialBackNonce!);
  }

  /** A nonce `peer` was sent at its own address, relayed by it: echo it on every connection dialed to it. */
  private echo(peer: string, nonce: Buffer): void {
    this.sendOnDialed(peer, 'echo', nonce);
  }

  /** Sends a dial-back frame on each writable connection this process dialed to `peer`; returns how many. */
  private sendOnDialed(peer: string, kind: 'dialback' | 'echo', nonce: Buffer): number {
    let sent = 0;
    for (const connection of this.connections)
      if (connection.peerAddress === peer && connection.sendNonce(kind, nonce)) sent += 1;
    return sent;
  }

  /** Connections naming `peer`, claims still waiting for their dial-back left out: unproven claims of an address
   *  must not use up the slots of the process really there. */
  private connectionsNaming(peer: string): number {
    let count = 0;
    for (const connection of this.connections)
      if (connection.peerAddress === peer && !this.pendingDialBacks.has(connection)) count += 1;
    return count;
  }

  /** A connection that carried nothing either way for idleTimeoutMs is closed: live links carry heartbeats, and a
   *  socket that identified itself and then fell silent must not hold a connection slot for ever. */
  private closeIdle(): void {
    const cutoffMs = performance.now() - this.config.idleTimeoutMs;
    for (const connection of [...this.connections]) {
      if (connection.lastActivityMs >= cutoffMs) continue;
      this.counters.idleClosed += 1;
      connection.destroy(new Error(`idle for ${this.config.idleTimeoutMs} ms`));
    }
  }

  private onConnectionClosed(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.counters.connectionsClosed += 1;
    this.pendingDialBacks.delete(connection);
    const peer = connection.peerAddress;
    const channel = peer === undefined ? undefined : this.channels.get(peer);
    if (channel === undefined) return;
    channel.release(connection);
    // A channel left with nothing (often one made only to verify a claim that failed) goes: claims of made-up
    // addresses leave no trace, and send() makes a new channel when one is needed.
    if (channel.isIdle() && this.connectionsNaming(peer!) === 0) {
      this.channels.delete(peer!);
      channel.close();
    }
  }

  private deliverFrom(connection: Connection, messages: Uint8Array[]): void {
    const fromAddress = connection.peerAddress;
    assert.ok(fromAddress !== undefined, 'data arrived on a connection that has not said hello');
    for (const message of messages) {
      if (this.closed || !connection.isReady()) return;
      const verdict = this.onMessage(fromAddress, message);
      if (verdict === false) {
        this.counters.rejectedFrames.undecodableMessage += 1;
        return connection.destroy(
          new FrameError('undecodableMessage', `a message from ${fromAddress} does not decode`),
        );
      }
      if (verdict === 'wrongSender') {
        this.counters.rejectedFrames.wrongSender += 1;
        return connection.destroy(
          new FrameError('wrongSender', `a message on the connection of ${fromAddress} names another sender`),
        );
      }
    }
  }

  /** Messages to oneself have no connection to close: what the handler says of them is ignored. */
  private deliverToSelf(messages: Uint8Array[]): void {
    for (const message of messages) {
      if (this.closed) return;
      this.onMessage(this.address, message);
    }
  }

  /** Messages to oneself skip the network but stay asynchronous, like any other delivery. */
  private sendToSelf(message: Uint8Array): boolean {
    if (this.loopbackBytes + message.length > this.config.maxQueuedBytesPerPeer) {
      this.counters.droppedQueueFull += 1;
      return false;
    }
    this.loopback.push(message);
    this.loopbackBytes += message.length;
    this.loopbackTimer ??= setImmediate(() => {
      this.loopbackTimer = undefined;
      const batch = this.loopback;
      this.loopback = [];
      this.loopbackBytes = 0;
      this.deliverToSelf(batch);
    });
    return true;
  }
}

function isDialable(address: string): boolean {
  try {
    parseAddress(address);
    return true;
  } catch {
    return false;
  }
}

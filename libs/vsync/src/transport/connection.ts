import type { Socket } from 'node:net';
import { FrameError } from './errors/frame-error';
import { FrameDecoder, type Frame } from './frame-decoder';
import { encodeHelloFrame } from './frame-format';
import type { TransportStats } from './transport-stats';

export interface ConnectionOptions {
  /** Advertised address of this process, sent in the hello of outbound connections. */
  readonly selfAddress: string;
  readonly maxFrameBytes: number;
  /** Outbound: time to connect; inbound: time until the peer's hello. The socket is closed when it runs out. */
  readonly handshakeTimeoutMs: number;
}

/** What a connection reports to its owner. */
export interface ConnectionEvents {
  /** The connection is identified and may carry data (outbound: connected and hello sent; inbound: hello received). */
  onReady(connection: Connection): void;
  onMessages(connection: Connection, messages: Uint8Array[]): void;
  onDrain(connection: Connection): void;
  /** Called exactly once, whatever closed the socket. */
  onClose(connection: Connection, error: Error | undefined): void;
}

/**
 * One TCP socket speaking the frame protocol. Every connection starts with a hello from the dialer naming its
 * advertised address, which is how the acceptor learns who is on the other end (the TCP source port says nothing).
 */
export class Connection {
  /** Advertised address of the remote process; known at once when dialing, after its hello when accepting. */
  peerAddress: string | undefined;
  private readonly decoder: FrameDecoder;
  private ready = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    readonly direction: 'outbound' | 'inbound',
    private readonly options: ConnectionOptions,
    private readonly stats: TransportStats,
    private readonly events: ConnectionEvents,
  ) {
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.events.onDrain(this));
    socket.on('error', (error) => this.close(error));
    socket.on('close', () => this.close(undefined));
    // Bounds how long a dial may hang and how long an accepted socket may stay anonymous.
    this.timer = setTimeout(
      () => this.close(new Error('connection not identified in time')),
      options.handshakeTimeoutMs,
    );
    if (direction === 'outbound') socket.once('connect', () => this.onConnected());
  }

  /** Address of the process that dialed this connection; the tie-break between simultaneous dials uses it. */
  dialerAddress(): string | undefined {
    return this.direction === 'outbound' ? this.options.selfAddress : this.peerAddress;
  }

  isReady(): boolean {
    return this.ready && !this.closed;
  }

  /** Writes a whole frame given as chunks (one gather write); returns false when the socket buffer is full and the
   *  caller should wait for onDrain. */
  write(frame: readonly Buffer[], messageCount: number): boolean {
    if (!this.isReady()) throw new Error('write on a connection that is not ready');
    this.stats.framesSent += 1;
    this.stats.messagesSent += messageCount;
    let writable = true;
    if (frame.length > 1) this.socket.cork();
    for (const chunk of frame) {
      this.stats.bytesSent += chunk.length;
      writable = this.socket.write(chunk);
    }
    if (frame.length > 1) this.socket.uncork();
    return writable;
  }

  /** Half-closes after everything written so far is flushed, so the peer still reads it. */
  end(): void {
    if (!this.closed) this.socket.end();
  }

  /** Closes at once; frames not yet flushed are lost. */
  destroy(error?: Error): void {
    this.close(error);
  }

  private onConnected(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.socket.write(encodeHelloFrame(this.options.selfAddress));
    this.ready = true;
    this.events.onReady(this);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.stats.bytesReceived += chunk.length;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.stats.rejectedFrames[error.kind] += 1;
      this.close(error);
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Frame): void {
    this.stats.framesReceived += 1;
    if (frame.kind === 'hello') {
      if (this.direction === 'outbound' || this.peerAddress !== undefined)
        return this.reject(new FrameError('unexpectedHello', 'second hello on a connection'));
      clearTimeout(this.timer);
      this.peerAddress = frame.address;
      this.ready = true;
      this.events.onReady(this);
      return;
    }
    if (this.peerAddress === undefined)
      return this.reject(new FrameError('missingHello', 'data before the hello frame'));
    this.stats.messagesReceived += frame.messages.length;
    this.events.onMessages(this, frame.messages);
  }

  private reject(error: FrameError): void {
    this.stats.rejectedFrames[error.kind] += 1;
    this.close(error);
  }

  private close(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.socket.destroy();
    this.events.onClose(this, error);
  }
}

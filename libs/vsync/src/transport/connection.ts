import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  FrameOpener,
  FrameSealer,
  GCM_TAG_BYTES,
  HANDSHAKE_NONCE_BYTES,
  handshakeMac,
  macMatches,
  sessionKeys,
} from '../security';
import { FrameError } from './errors/frame-error';
import { FrameDecoder, splitBatch, type Frame } from './frame-decoder';
import {
  encodeControlFrame,
  encodeHelloFrame,
  FLAG_CHALLENGE,
  FLAG_PROOF,
  FRAME_HEADER_BYTES,
  MAX_HANDSHAKE_FRAME_BYTES,
  sealedHeader,
} from './frame-format';
import type { TransportStats } from './transport-stats';

/** Bytes of incomplete frames held by all connections of a transport, against one bound. */
export interface FrameBudget {
  usedBytes: number;
  readonly limitBytes: number;
}

export interface ConnectionOptions {
  /** Advertised address of this process, sent in the hello of outbound connections. */
  readonly selfAddress: string;
  readonly maxFrameBytes: number;
  /** Outbound: time to connect (and, keyed, to authenticate the acceptor); inbound: time until the peer is
   *  identified (its hello, and keyed, its proof). The socket is closed when it runs out. */
  readonly handshakeTimeoutMs: number;
  /** The link key derived from the system secret; undefined runs open connections. */
  readonly linkKey: Buffer | undefined;
  readonly frameBudget: FrameBudget;
}

/** What a connection reports to its owner. */
export interface ConnectionEvents {
  /** The connection is identified and may carry data (outbound: connected, hello sent and, keyed, the acceptor
   *  authenticated; inbound: hello received and, keyed, the dialer's proof checked). */
  onReady(connection: Connection): void;
  onMessages(connection: Connection, messages: Uint8Array[]): void;
  onDrain(connection: Connection): void;
  /** Called exactly once, whatever closed the socket. */
  onClose(connection: Connection, error: Error | undefined): void;
}

/** Where a keyed handshake stands; an open connection goes straight from 'hello' to 'ready'. */
type HandshakeState = 'hello' | 'challenge' | 'proof' | 'ready';

/**
 * One TCP socket speaking the frame protocol. Every connection starts with a hello from the dialer naming its
 * advertised address, which is how the acceptor learns who is on the other end (the TCP source port says nothing);
 * with a key, a mutual challenge-response follows and every later frame is sealed (see security/link-handshake.ts).
 * Until the peer is identified, no frame larger than a handshake frame is accepted.
 */
export class Connection {
  /** Advertised address of the remote process; known at once when dialing, after its hello when accepting. */
  peerAddress: string | undefined;
  /** When a byte last went either way (monotonic ms); the transport closes connections idle for too long. */
  lastActivityMs = performance.now();
  /** When a byte last came in; a live link that keeps receiving is not given up to a newcomer naming its peer. */
  lastReceivedMs = -Infinity;
  private readonly decoder: FrameDecoder;
  private state: HandshakeState;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private heldBytes = 0;
  private dialerNonce: Buffer | undefined;
  private acceptorNonce: Buffer | undefined;
  private sealer: FrameSealer | undefined;
  private opener: FrameOpener | undefined;

  constructor(
    private readonly socket: Socket,
    readonly direction: 'outbound' | 'inbound',
    private readonly options: ConnectionOptions,
    private readonly stats: TransportStats,
    private readonly events: ConnectionEvents,
  ) {
    this.decoder = new FrameDecoder(Math.min(options.maxFrameBytes, MAX_HANDSHAKE_FRAME_BYTES));
    this.state = direction === 'outbound' ? 'challenge' : 'hello';
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.events.onDrain(this));
    socket.on('error', (error) => this.close(error));
    socket.on('close', () => this.close(undefined));
    // Bounds how long a dial may hang and how long an accepted socket may stay anonymous.
    this.timer = setTimeout(() => this.onHandshakeTimeout(), options.handshakeTimeoutMs);
    if (direction === 'outbound') socket.once('connect', () => this.onConnected());
  }

  /** Address of the process that dialed this connection; the tie-break between simultaneous dials uses it. */
  dialerAddress(): string | undefined {
    return this.direction === 'outbound' ? this.options.selfAddress : this.peerAddress;
  }

  isReady(): boolean {
    return this.state === 'ready' && !this.closed;
  }

  /** Whether the peer proved it holds the key (keyed connections only). */
  get authenticated(): boolean {
    return this.isReady() && this.options.linkKey !== undefined;
  }

  /** Writes a whole data frame given as chunks (one gather write), sealing it on a keyed connection; returns false
   *  when the socket buffer is full and the caller should wait for onDrain. */
  write(frame: readonly Buffer[], messageCount: number): boolean {
    if (!this.isReady()) throw new Error('write on a connection that is not ready');
    this.stats.framesSent += 1;
    this.stats.messagesSent += messageCount;
    this.lastActivityMs = performance.now();
    const chunks = this.sealer === undefined ? frame : this.seal(frame);
    let writable = true;
    if (chunks.length > 1) this.socket.cork();
    for (const chunk of chunks) {
      this.stats.bytesSent += chunk.length;
      writable = this.socket.write(chunk);
    }
    if (chunks.length > 1) this.socket.uncork();
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

  /** The data frame's body sealed under a header of its own: the plaintext header is dropped, its length changes. */
  private seal(frame: readonly Buffer[]): Buffer[] {
    const body = [frame[0].subarray(FRAME_HEADER_BYTES), ...frame.slice(1)];
    let bodyBytes = 0;
    for (const chunk of body) bodyBytes += chunk.length;
    const header = sealedHeader(bodyBytes + GCM_TAG_BYTES);
    return [header, ...this.sealer!.seal(header, body)];
  }

  private onConnected(): void {
    if (this.closed) return;
    const key = this.options.linkKey;
    if (key === undefined) {
      this.sendControl(encodeHelloFrame(this.options.selfAddress));
      return this.becomeReady();
    }
    // Keyed: the acceptor must answer the challenge before this side sends any data.
    this.dialerNonce = randomBytes(HANDSHAKE_NONCE_BYTES);
    this.sendControl(encodeHelloFrame(this.options.selfAddress, this.dialerNonce));
  }

  private sendControl(frame: Buffer): void {
    this.stats.bytesSent += frame.length;
    this.lastActivityMs = performance.now();
    this.socket.write(frame);
  }

  private becomeReady(): void {
    clearTimeout(this.timer);
    this.state = 'ready';
    this.decoder.limitFrames(this.options.maxFrameBytes);
    this.events.onReady(this);
  }

  private onHandshakeTimeout(): void {
    if (this.direction === 'outbound') this.stats.connectTimeouts += 1;
    else this.stats.handshakeTimeouts += 1;
    this.close(new Error('connection not identified in time'));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.stats.bytesReceived += chunk.length;
    this.lastActivityMs = this.lastReceivedMs = performance.now();
    for (let frames = this.decode(() => this.decoder.push(chunk)); frames !== undefined;) {
      for (const frame of frames) {
        if (this.closed) return;
        this.onFrame(frame);
      }
      if (this.closed) return;
      // After a handshake frame the bytes that follow are judged by the bound the handshake set.
      frames = this.decoder.paused ? this.decode(() => this.decoder.resume()) : undefined;
    }
  }

  /** Runs the decoder and charges what it holds to the budget; undefined (and closed) on bad bytes. */
  private decode(step: () => Frame[]): Frame[] | undefined {
    let frames: Frame[];
    try {
      frames = step();
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.reject(error);
      return undefined;
    }
    return this.accountBuffered() ? frames : undefined;
  }

  /** Charges this connection's incomplete frame to the transport's budget; false (and closed) if it overdraws it. */
  private accountBuffered(): boolean {
    const budget = this.options.frameBudget;
    budget.usedBytes += this.decoder.bufferedBytes - this.heldBytes;
    this.heldBytes = this.decoder.bufferedBytes;
    if (budget.usedBytes <= budget.limitBytes) return true;
    this.reject(
      new FrameError(
        'overBudget',
        `incomplete frames of all connections would hold ${budget.usedBytes} bytes, over ${budget.limitBytes}`,
      ),
    );
    return false;
  }

  private onFrame(frame: Frame): void {
    this.stats.framesReceived += 1;
    if (this.state !== 'ready') return this.onHandshakeFrame(frame);
    if (frame.kind === 'hello')
      return this.reject(new FrameError('unexpectedHello', 'second hello on a connection'));
    if (frame.kind === 'challenge' || frame.kind === 'proof')
      return this.reject(new FrameError('unexpectedHandshake', `${frame.kind} after the handshake`));
    const messages = this.messagesOf(frame);
    if (messages === undefined) return;
    this.stats.messagesReceived += messages.length;
    this.events.onMessages(this, messages);
  }

  /** The messages of a data frame, opened first on a keyed connection; undefined (and closed) if refused. */
  private messagesOf(frame: Extract<Frame, { kind: 'sealed' | 'data' }>): Uint8Array[] | undefined {
    if (this.opener === undefined) {
      if (frame.kind === 'data') return frame.messages;
      this.reject(new FrameError('keyMismatch', 'a sealed frame on a connection without a key'));
      return undefined;
    }
    if (frame.kind === 'data') {
      this.reject(new FrameError('unsealed', 'an unsealed data frame on a keyed connection'));
      return undefined;
    }
    const body = this.opener.open(frame.header, frame.body);
    if (body === undefined) {
      this.reject(
        new FrameError('authFailed', 'a sealed frame does not authenticate (wrong key, replay or tampering)'),
      );
      return undefined;
    }
    try {
      return splitBatch(body);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.reject(error);
      return undefined;
    }
  }

  private onHandshakeFrame(frame: Frame): void {
    if (this.state === 'hello' && frame.kind === 'hello') return this.onHello(frame);
    if (this.state === 'challenge' && frame.kind === 'challenge' && this.dialerNonce !== undefined)
      return this.onChallenge(frame);
    if (this.state === 'proof' && frame.kind === 'proof') return this.onProof(frame);
    if (frame.kind === 'data' || frame.kind === 'sealed')
      return this.reject(new FrameError('missingHello', 'data before the handshake completed'));
    this.reject(new FrameError('unexpectedHandshake', `${frame.kind} while waiting for the ${this.state}`));
  }

  private onHello(frame: Extract<Frame, { kind: 'hello' }>): void {
    const key = this.options.linkKey;
    if ((key === undefined) !== (frame.nonce === undefined)) {
      const mine = key === undefined ? 'has no key' : 'requires a key';
      return this.reject(
        new FrameError('keyMismatch', `peer ${frame.address} disagrees: this process ${mine}`),
      );
    }
    this.peerAddress = frame.address;
    if (key === undefined) return this.becomeReady();
    this.dialerNonce = frame.nonce;
    this.acceptorNonce = randomBytes(HANDSHAKE_NONCE_BYTES);
    const mac = handshakeMac(key, 'acceptor', frame.nonce!, this.acceptorNonce, frame.address);
    this.state = 'proof';
    this.sendControl(encodeControlFrame(FLAG_CHALLENGE, [this.acceptorNonce, mac]));
  }

  private onChallenge(frame: Extract<Frame, { kind: 'challenge' }>): void {
    const key = this.options.linkKey!;
    const self = this.options.selfAddress;
    const expected = handshakeMac(key, 'acceptor', this.dialerNonce!, frame.nonce, self);
    if (!macMatches(expected, frame.mac))
      return this.reject(new FrameError('authFailed', `${this.peerAddress} does not hold this system's key`));
    this.sendControl(
      encodeControlFrame(FLAG_PROOF, [handshakeMac(key, 'dialer', this.dialerNonce!, frame.nonce, self)]),
    );
    const keys = sessionKeys(key, this.dialerNonce!, frame.nonce);
    this.sealer = new FrameSealer(keys.dialerToAcceptor);
    this.opener = new FrameOpener(keys.acceptorToDialer);
    this.becomeReady();
  }

  private onProof(frame: Extract<Frame, { kind: 'proof' }>): void {
    const key = this.options.linkKey!;
    const expected = handshakeMac(key, 'dialer', this.dialerNonce!, this.acceptorNonce!, this.peerAddress!);
    if (!macMatches(expected, frame.mac))
      return this.reject(
        new FrameError('authFailed', `a dialer naming ${this.peerAddress} does not hold the key`),
      );
    const keys = sessionKeys(key, this.dialerNonce!, this.acceptorNonce!);
    this.sealer = new FrameSealer(keys.acceptorToDialer);
    this.opener = new FrameOpener(keys.dialerToAcceptor);
    this.becomeReady();
  }

  private reject(error: FrameError): void {
    this.stats.rejectedFrames[error.kind] += 1;
    this.close(error);
  }

  private close(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.options.frameBudget.usedBytes -= this.heldBytes;
    this.heldBytes = 0;
    this.socket.destroy();
    this.events.onClose(this, error);
  }
}

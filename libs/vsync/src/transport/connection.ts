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
  FLAG_DIALBACK,
  FLAG_ECHO,
  FLAG_PROOF,
  FLAG_WELCOME,
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
  /** Open connections: how long an inbound hello's address may take to echo the dial-back nonce, and how long a
   *  dialer waits for the acceptor's welcome once connected. */
  readonly dialBackTimeoutMs: number;
  /** The link key derived from the system secret; undefined runs open connections. */
  readonly linkKey: Buffer | undefined;
  readonly frameBudget: FrameBudget;
}

/** What a connection reports to its owner. */
export interface ConnectionEvents {
  /** The connection is identified and may carry data (outbound: connected, hello sent and the acceptor authenticated
   *  (keyed) or its welcome received (open); inbound: hello received and the dialer's proof checked (keyed) or the
   *  dial-back nonce echoed by the address the hello named (open)). */
  onReady(connection: Connection): void;
  /** An open inbound hello named `connection.peerAddress`: the owner sends `connection.dialBackNonce` to that address
   *  (or closes the connection); the connection becomes ready when the nonce comes back on it. */
  onClaim(connection: Connection): void;
  /** The dialer of an open inbound connection relays a nonce it was sent at its own address: the owner echoes it on
   *  the connections it dialed to that peer. */
  onDialBack(connection: Connection, nonce: Buffer): void;
  onMessages(connection: Connection, messages: Uint8Array[]): void;
  onDrain(connection: Connection): void;
  /** Called exactly once, whatever closed the socket. */
  onClose(connection: Connection, error: Error | undefined): void;
}

/** Where the handshake stands. Keyed: an acceptor goes hello, proof, ready; a dialer challenge, ready. Open: an
 *  acceptor goes hello, verifying (the dial-back), ready; a dialer welcome, ready. */
type HandshakeState = 'hello' | 'challenge' | 'proof' | 'verifying' | 'welcome' | 'ready';

/**
 * One TCP socket speaking the frame protocol. Every connection starts with a hello from the dialer naming its
 * advertised address, which is how the acceptor learns who is on the other end (the TCP source port says nothing);
 * with a key, a mutual challenge-response follows and every later frame is sealed (see security/link-handshake.ts);
 * without one, the acceptor binds the hello's address only once a nonce it sent to that address comes back on this
 * connection (dial-back, driven by the transport through onClaim and onDialBack). Until the peer is identified, no frame larger than a handshake frame is accepted.
 */
export class Connection {
  /** Advertised address of the remote process; known at once when dialing, after its hello when accepting. */
  peerAddress: string | undefined;
  /** When a byte last went either way (monotonic ms); the transport closes connections idle for too long. */
  lastActivityMs = performance.now();
  /** Open inbound connections: the nonce that must come back on this connection from the address its hello named. */
  dialBackNonce: Buffer | undefined;
  private readonly decoder: FrameDecoder;
  private state: HandshakeState;
  private closed = false;
  private ending = false;
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
    const keyed = options.linkKey !== undefined;
    this.state = direction === 'inbound' ? 'hello' : keyed ? 'challenge' : 'welcome';
    socket.setNoDelay(true);
    // A socket that reads into a ReadSlab hands its chunks to receive() and emits no 'data'.
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.events.onDrain(this));
    socket.on('error', (error) => this.close(error));
    socket.on('close', () => this.close(undefined));
    // Bounds how long a dial may hang and how long an accepted socket may stay anonymous.
    this.timer = setTimeout(() => this.onHandshakeTimeout(), options.handshakeTimeoutMs);
    if (direction === 'outbound') socket.once('connect', () => this.onConnected());
    // An open hello goes out at once (the socket holds it until connected), so dial-back frames can follow it
    // before the connection is up.
    if (direction === 'outbound' && !keyed) this.sendControl(encodeHelloFrame(options.selfAddress));
  }

  /** Address of the process that dialed this connection; the tie-break between simultaneous dials uses it. */
  dialerAddress(): string | undefined {
    return this.direction === 'outbound' ? this.options.selfAddress : this.peerAddress;
  }

  isReady(): boolean {
    return this.state === 'ready' && !this.closed;
  }

  /** Writes a whole data frame given as chunks (one gather write), sealing it on a keyed connection; returns false
   *  when the socket buffer is full and the caller should wait for onDrain. */
  write(frame: readonly Buffer[], messageCount: number): boolean {
    if (!this.isReady()) throw new Error('write on a connection that is not ready');
    this.stats.framesSent += 1;
    this.stats.messagesSent += messageCount;
    this.lastActivityMs = performance.now();
    const chunks = this.sealer === undefined ? frame : this.seal(frame);
    if (chunks.length > 1) this.socket.cork();
    for (const chunk of chunks) {
      this.stats.bytesSent += chunk.length;
      this.socket.write(chunk);
    }
    if (chunks.length > 1) this.socket.uncork();
    // What is still buffered after the write, not write()'s answer: a corked frame's last write() says false even
    // when uncork() then handed everything to the kernel, and waiting for 'drain' (emitted on a later tick, after a
    // burst of sends) would hold every following frame back until the burst ends.
    return this.socket.writableLength < this.socket.writableHighWaterMark;
  }

  /** Half-closes after everything written so far is flushed, so the peer still reads it. */
  end(): void {
    this.ending = true;
    if (!this.closed) this.socket.end();
  }

  /** Sends a dial-back nonce (on a connection this process dialed) or echoes one (likewise); false if this
   *  connection can carry no more frames. Open connections only. */
  sendNonce(kind: 'dialback' | 'echo', nonce: Buffer): boolean {
    if (this.closed || this.ending || this.direction !== 'outbound' || this.options.linkKey !== undefined)
      return false;
    this.sendControl(encodeControlFrame(kind === 'dialback' ? FLAG_DIALBACK : FLAG_ECHO, [nonce]));
    return true;
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
      // Connected: the acceptor now has dialBackTimeoutMs to verify this address and welcome us.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.onHandshakeTimeout(), this.options.dialBackTimeoutMs);
      return;
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
    else if (this.state === 'verifying') this.stats.dialBackTimeouts += 1;
    else this.stats.handshakeTimeouts += 1;
    this.close(new Error('connection not identified in time'));
  }

  /** Bytes read from the socket, in order. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.stats.bytesReceived += chunk.length;
    this.lastActivityMs = performance.now();
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
    if (frame.kind === 'dialback' || frame.kind === 'echo') return this.onNonce(frame);
    if (frame.kind === 'hello')
      return this.reject(new FrameError('unexpectedHello', 'second hello on a connection'));
    if (frame.kind === 'challenge' || frame.kind === 'proof' || frame.kind === 'welcome')
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
    if (this.state === 'verifying' && (frame.kind === 'dialback' || frame.kind === 'echo'))
      return this.onNonce(frame);
    if (this.state === 'welcome' && frame.kind === 'welcome') return this.becomeReady();
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
    if (key === undefined) return this.awaitDialBack();
    this.dialerNonce = frame.nonce;
    this.acceptorNonce = randomBytes(HANDSHAKE_NONCE_BYTES);
    const mac = handshakeMac(key, 'acceptor', frame.nonce!, this.acceptorNonce, frame.address);
    this.state = 'proof';
    this.sendControl(encodeControlFrame(FLAG_CHALLENGE, [this.acceptorNonce, mac]));
  }

  /** Without a key a hello proves nothing: the connection is bound to the address it names only once the process
   *  listening there echoes a fresh nonce back on it (an impostor never sees the nonce, which goes to that address). */
  private awaitDialBack(): void {
    clearTimeout(this.timer);
    this.state = 'verifying';
    this.dialBackNonce = randomBytes(HANDSHAKE_NONCE_BYTES);
    this.timer = setTimeout(() => this.onHandshakeTimeout(), this.options.dialBackTimeoutMs);
    this.events.onClaim(this);
  }

  /** Dial-back frames travel on open inbound connections only. An echo that is not this connection's nonce is
   *  ignored: a peer echoes every nonce on each connection it dialed here, not knowing which one it is for. */
  private onNonce(frame: Extract<Frame, { kind: 'dialback' | 'echo' }>): void {
    if (this.direction !== 'inbound' || this.options.linkKey !== undefined)
      return this.reject(new FrameError('unexpectedHandshake', `${frame.kind} on this connection`));
    if (frame.kind === 'dialback') return this.events.onDialBack(this, frame.nonce);
    if (this.state !== 'verifying' || !macMatches(this.dialBackNonce!, frame.nonce)) return;
    this.sendControl(encodeControlFrame(FLAG_WELCOME, []));
    this.becomeReady();
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

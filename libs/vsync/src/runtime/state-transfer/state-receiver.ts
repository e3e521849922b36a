import { createHash, type Hash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { formatAddress } from '../../transport';
import { SocketReader } from './socket-reader';
import { StateTransferError } from './state-transfer-error';
import {
  decodeOffer,
  encodeChallenge,
  encodeResume,
  MAX_OFFER_GROUP_BYTES,
  newNonce,
  type Offer,
  REFUSE_OFFSET,
} from './stream-format';

export interface StateReceiverOptions {
  readonly bindHost: string;
  /** The host senders dial (the host of the process's advertised address). */
  readonly advertiseHost: string;
  readonly key: Buffer | null;
  readonly handshakeTimeoutMs: number;
  /** Received bytes the loading callback has not taken yet; beyond it the socket is paused (backpressure). */
  readonly receiveQueueBytes: number;
  readonly maxCheckpointBytes: number;
  readonly onProgress?: (receivedBytes: number, totalBytes: number) => void;
  readonly onRejected?: (error: StateTransferError) => void;
}

const MAX_OFFER_BYTES = 256 + MAX_OFFER_GROUP_BYTES;

/**
 * The joiner's end of state transfer: it listens on an endpoint of its own, and the member the plan names dials it
 * and streams the checkpoint. The bytes go to the loading callback as one continuous stream even when the sender
 * fails midway: the next sender is told the offset reached and sends the rest, provided its checkpoint has the same
 * digest. The content is checked against the digest once complete.
 */
export class StateReceiver {
  private server: Server | undefined;
  private expected: IncomingState | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: StateReceiverOptions) {}

  async listen(): Promise<string> {
    const server = createServer((socket) => void this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.options.bindHost, () => (server.off('error', reject), resolve()));
    });
    server.on('error', () => undefined);
    const bound = server.address();
    if (bound === null || typeof bound === 'string')
      throw new StateTransferError('state endpoint is not TCP');
    return formatAddress(this.options.advertiseHost, bound.port);
  }

  /** Starts waiting for the checkpoint of one view boundary; an earlier expectation is cancelled. */
  expect(group: string, viewId: number): IncomingState {
    this.expected?.fail(new StateTransferError(`a newer transfer (view ${viewId}) replaced this one`));
    this.expected = new IncomingState(group, viewId, this.options);
    return this.expected;
  }

  /** Gives up the checkpoint being waited for, if any. */
  cancel(error: Error): void {
    this.expected?.fail(error);
    this.expected = undefined;
  }

  async close(): Promise<void> {
    this.expected?.fail(new StateTransferError('the process is closing'));
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async accept(socket: Socket): Promise<void> {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    const nonce = newNonce();
    socket.write(encodeChallenge(nonce));
    const reader = new SocketReader(socket);
    const timeoutMs = this.options.handshakeTimeoutMs;
    try {
      const length = (await reader.read(4, timeoutMs, 'offer length')).readUInt32BE(0);
      if (length > MAX_OFFER_BYTES) throw new StateTransferError(`offer of ${length} bytes is too large`);
      const offer = decodeOffer(await reader.read(length, timeoutMs, 'offer'), this.options.key, nonce);
      if (typeof offer === 'string') throw new StateTransferError(`state offer refused: ${offer}`);
      const incoming = this.expected;
      const offset = incoming?.admit(offer) ?? REFUSE_OFFSET;
      socket.write(encodeResume(offset, this.options.key, offer.nonce));
      if (offset === REFUSE_OFFSET) return void socket.end();
      incoming!.attach(socket, reader.release());
    } catch (error) {
      socket.destroy();
      this.options.onRejected?.(error as StateTransferError);
    }
  }
}

/** One checkpoint being received: an async iterable of its chunks, fed by whichever sender is connected. */
export class IncomingState implements AsyncIterable<Uint8Array> {
  private digest: Uint8Array | undefined;
  private totalBytes = -1;
  private received = 0;
  private readonly hash: Hash = createHash('sha256');
  private socket: Socket | undefined;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private waiter: (() => void) | undefined;
  private finished = false;
  private error: Error | undefined;

  constructor(
    readonly group: string,
    readonly viewId: number,
    private readonly options: StateReceiverOptions,
  ) {}

  /** The offset a sender's offer may resume from, or REFUSE_OFFSET when it is not this checkpoint. */
  admit(offer: Offer): number {
    if (this.finished || offer.group !== this.group || offer.viewId !== this.viewId) return REFUSE_OFFSET;
    if (offer.totalBytes > this.options.maxCheckpointBytes) {
      this.fail(
        new StateTransferError(`the checkpoint of ${offer.totalBytes} bytes exceeds maxCheckpointBytes`),
      );
      return REFUSE_OFFSET;
    }
    // A newer sender takes over: the previous one was replaced because the plan saw it leave.
    this.socket?.destroy();
    this.socket = undefined;
    if (this.digest !== undefined && !Buffer.from(this.digest).equals(Buffer.from(offer.digest))) {
      if (this.received > 0) {
        this.fail(
          new StateTransferError(
            `members hold different checkpoints of view ${this.viewId} (the checkpoint callback must yield the same bytes for the same state); the transfer cannot resume`,
          ),
        );
        return REFUSE_OFFSET;
      }
    }
    this.digest = Buffer.from(offer.digest);
    this.totalBytes = offer.totalBytes;
    return this.received;
  }

  attach(socket: Socket, head: Buffer): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.take(socket, chunk));
    if (head.length > 0) this.take(socket, head);
    if (this.received === this.totalBytes) this.complete();
  }

  fail(error: Error): void {
    if (this.finished) return;
    this.error = error;
    this.finished = true;
    this.socket?.destroy();
    this.waiter?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: () => this.next() };
  }

  private async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk !== undefined) {
        this.queuedBytes -= chunk.length;
        if (this.socket?.isPaused() && this.queuedBytes <= this.options.receiveQueueBytes / 2)
          this.socket.resume();
        return { value: chunk, done: false };
      }
      if (this.error !== undefined) throw this.error;
      if (this.finished) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  private take(socket: Socket, chunk: Buffer): void {
    if (socket !== this.socket || this.finished) return;
    if (this.received + chunk.length > this.totalBytes) {
      return this.fail(
        new StateTransferError(`a sender sent more than the ${this.totalBytes} bytes it offered`),
      );
    }
    this.received += chunk.length;
    this.hash.update(chunk);
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > this.options.receiveQueueBytes) socket.pause();
    this.options.onProgress?.(this.received, this.totalBytes);
    if (this.received === this.totalBytes) this.complete();
    this.waiter?.();
  }

  private complete(): void {
    if (this.finished) return;
    const digest = this.hash.digest();
    if (!digest.equals(Buffer.from(this.digest!)))
      return this.fail(new StateTransferError(`the state of view ${this.viewId} does not match its digest`));
    this.finished = true;
    this.socket?.end();
    this.waiter?.();
  }
}

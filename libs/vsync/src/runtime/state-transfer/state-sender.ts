import { createReadStream } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseAddress } from '../../transport';
import type { SpooledCheckpoint } from './checkpoint-spool';
import { SocketReader } from './socket-reader';
import { StateTransferError } from './state-transfer-error';
import {
  CHALLENGE_BYTES,
  decodeChallenge,
  decodeResume,
  encodeOffer,
  newNonce,
  REFUSE_OFFSET,
  RESUME_BYTES,
} from './stream-format';

export interface OutgoingTransfer {
  readonly group: string;
  readonly viewId: number;
  readonly spool: SpooledCheckpoint;
  /** The joiner's state endpoint, "host:port". */
  readonly endpoint: string;
  readonly key: Buffer | null;
  readonly handshakeTimeoutMs: number;
  /** Bytes read from the file per write: large writes are what make a bulk copy fast. */
  readonly chunkBytes: number;
  readonly onProgress?: (sentBytes: number, totalBytes: number) => void;
}

/** Streams a spooled checkpoint to a joiner over a connection of its own, from the offset the joiner reports (it
 *  may have received the start from a sender that failed). TCP's flow control is the backpressure: the file is read
 *  only as fast as the joiner takes it. Resolves 'sent' once every byte was written, or 'refused' when the joiner no
 *  longer waits for this checkpoint (it loaded it from another member, or gave up); rejects with StateTransferError. */
export async function sendCheckpoint(t: OutgoingTransfer): Promise<'sent' | 'refused'> {
  const socket = await dial(t.endpoint, t.handshakeTimeoutMs);
  try {
    const reader = new SocketReader(socket);
    const challenge = decodeChallenge(await reader.read(CHALLENGE_BYTES, t.handshakeTimeoutMs, 'challenge'));
    if (typeof challenge === 'string') throw new StateTransferError(`joiner ${t.endpoint}: ${challenge}`);
    const nonce = newNonce();
    const offer = {
      group: t.group,
      viewId: t.viewId,
      totalBytes: t.spool.totalBytes,
      digest: t.spool.digest,
      nonce,
    };
    socket.write(encodeOffer(offer, t.key, challenge));
    const offset = decodeResume(
      await reader.read(RESUME_BYTES, t.handshakeTimeoutMs, 'resume offset'),
      t.key,
      nonce,
    );
    if (typeof offset === 'string') throw new StateTransferError(`joiner ${t.endpoint}: ${offset}`);
    if (offset === REFUSE_OFFSET) return 'refused';
    if (offset > t.spool.totalBytes)
      throw new StateTransferError(
        `joiner ${t.endpoint} asked for offset ${offset} of ${t.spool.totalBytes} bytes`,
      );
    reader.release();
    // The joiner ends the connection once it holds every byte. That end can close the socket before this side's own
    // end is acknowledged, which the pipeline reports as a premature close: with every byte written and the joiner's
    // end received, the checkpoint was delivered.
    let joinerEnded = false;
    socket.once('end', () => (joinerEnded = true));
    const counter = new ProgressCounter(t, offset);
    try {
      await pipeline(fileFrom(t, offset), counter, socket);
    } catch (error) {
      const premature = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
      if (!(premature && joinerEnded && counter.sent === t.spool.totalBytes)) throw error;
    }
    return 'sent';
  } finally {
    socket.destroy();
  }
}

/** The checkpoint's bytes from `offset` on: read from its spool file, or taken from memory. */
function fileFrom(t: OutgoingTransfer, offset: number): NodeJS.ReadableStream {
  const path = t.spool.path;
  if (path === null) return Readable.from(chunksFrom(t.spool.chunks, offset), { objectMode: false });
  // An empty range (everything already received) still needs a stream that ends at once.
  if (offset >= t.spool.totalBytes) return Readable.from([]);
  return createReadStream(path, { start: offset, highWaterMark: t.chunkBytes });
}

function* chunksFrom(chunks: readonly Buffer[], offset: number): Iterable<Buffer> {
  let skipped = 0;
  for (const chunk of chunks) {
    if (skipped + chunk.length <= offset) {
      skipped += chunk.length;
      continue;
    }
    yield skipped >= offset ? chunk : chunk.subarray(offset - skipped);
    skipped += chunk.length;
  }
}

/** Hands the checkpoint's bytes on, counting them (`sent`, from the resume offset) and reporting progress. */
class ProgressCounter extends Transform {
  constructor(
    private readonly t: OutgoingTransfer,
    public sent: number,
  ) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.sent += chunk.length;
    this.t.onProgress?.(this.sent, this.t.spool.totalBytes);
    done(null, chunk);
  }
}

function dial(endpoint: string, timeoutMs: number): Promise<Socket> {
  const { host, port } = parseAddress(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new StateTransferError(`could not reach joiner ${endpoint} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new StateTransferError(`could not reach joiner ${endpoint}: ${error.message}`));
    });
  });
}

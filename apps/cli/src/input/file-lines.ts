/**
 * Streams a text file (a regular file, a FIFO or `/dev/fd/N` from a shell's
 * process substitution) line by line, holding at most one read chunk and one
 * line, so the grid parsers never hold a whole input as one string and an
 * endless input costs no more memory than a short one.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { GridError } from '@gridcloud/grid';

/** Bytes asked of the kernel per read. */
const READ_CHUNK_BYTES = 1 << 20;
/** How long to wait before reading again a non-blocking descriptor that had nothing. */
const RETRY_WAIT_MS = 10;
const NEWLINE = 0x0a;

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** The lines of the file at `path` (without newlines); `what` names it in errors. */
export function* fileLines(path: string, what: string, maxLineBytes: number): Generator<string> {
  const fd = openFile(path, what);
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    const partial: Buffer[] = [];
    let partialBytes = 0;
    let line = 1;
    for (let n = readChunk(fd, chunk, path, what); n > 0; n = readChunk(fd, chunk, path, what)) {
      let from = 0;
      for (let nl = chunk.indexOf(NEWLINE, 0); nl >= 0 && nl < n; nl = chunk.indexOf(NEWLINE, from)) {
        checkLength(partialBytes + nl - from, maxLineBytes, path, line);
        partial.push(chunk.subarray(from, nl));
        yield Buffer.concat(partial).toString('utf8');
        partial.length = 0;
        partialBytes = 0;
        line += 1;
        from = nl + 1;
      }
      checkLength(partialBytes + n - from, maxLineBytes, path, line);
      // The chunk buffer is reused by the next read: keep a copy of the unfinished line.
      partial.push(Buffer.from(chunk.subarray(from, n)));
      partialBytes += n - from;
    }
    yield Buffer.concat(partial).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function checkLength(bytes: number, maxLineBytes: number, path: string, line: number): void {
  if (bytes > maxLineBytes)
    throw new GridError(`${path}:${line}: line longer than ${maxLineBytes} bytes (--max-line-bytes)`);
}

function openFile(path: string, what: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new GridError(`cannot read ${what} '${path}': ${(error as Error).message}`);
  }
}

function readChunk(fd: number, chunk: Buffer, path: string, what: string): number {
  for (;;) {
    try {
      return readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN')
        throw new GridError(`cannot read ${what} '${path}': ${(error as Error).message}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_WAIT_MS);
    }
  }
}

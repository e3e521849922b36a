import http from 'node:http';
import { AppendOutcomeUnknownError, FileStoreRequestError, FileStoreUnavailableError } from './errors';
import {
  encodeRecordBatch,
  RECORD_BATCH_CONTENT_TYPE,
  STORED_RECORDS_CONTENT_TYPE,
  StoredRecordReader,
} from './record-wire';
import { postBody, type PostAnswer } from './http-post';
import { formatTimeNs } from './time-param';
import { validateFilePath } from '../protocol/file-path';
import type { FileRecordInput, StoredRecord, TemporalPoint } from '../protocol/records';
import type { AppendResult, FileInfo } from '../runtime/file-store-stats';

export interface FileStoreClientOptions {
  /** The replicas' HTTP base URLs (http://HOST:PORT); calls go to the last one that answered, then the next. */
  readonly urls: readonly string[];
  /**
   * How long a call waits for a replica's response headers before trying the next. Default 15,000: longer than a
   * replica's own wait for an append's acknowledgements (appendTimeoutMs, 10,000 by default), so a slow append is
   * answered (stored, or 5xx) before the client gives up and has to call its outcome unknown.
   */
  readonly requestTimeoutMs?: number;
  /** The largest stored record the reader accepts (path, times and data). Default 16 MiB + 64 KiB. */
  readonly maxFrameBytes?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024 + 64 * 1024;
/** Connection errors that prove the request never reached the replica: an append may go elsewhere. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND']);

/**
 * The file store over HTTP with failover across replicas. Appends go to one replica, which orders them through the
 * `filestore` group; reads and snapshots are streamed (binary frames, decoded as they arrive) and are the same at
 * every replica. A path the store refuses is a FileStorePathError before anything is sent; a 4xx answer is a FileStoreRequestError (not retried); a replica that is down or answers 5xx is
 * skipped; an append whose answer was lost is an AppendOutcomeUnknownError (never sent twice).
 */
export class FileStoreClient {
  private preferred = 0;
  private readonly urls: readonly string[];
  private readonly requestTimeoutMs: number;
  private readonly maxFrameBytes: number;
  /** Appends' connections, kept open between calls (an idle one does not keep the process alive). */
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(options: FileStoreClientOptions) {
    if (options.urls.length === 0) throw new Error('FileStoreClient: urls is empty');
    this.urls = options.urls.map((u) => u.replace(/\/+$/, ''));
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Appends records to a file; resolves once the store acknowledged them (on k replicas, on disk if durable). */
  async append(path: string, records: readonly FileRecordInput[]): Promise<AppendResult> {
    return this.appendBatch(path, encodeRecordBatch(records));
  }

  /** Appends records already encoded with encodeRecordBatch (a writer that keeps its batches encoded spares the
   *  copy); the replica checks them and passes them on as they are. */
  async appendBatch(path: string, body: Uint8Array<ArrayBuffer>): Promise<AppendResult> {
    const send = (url: string): Promise<PostAnswer> =>
      postBody(url, RECORD_BATCH_CONTENT_TYPE, body, this.requestTimeoutMs, this.agent);
    const answer = await this.call(`/files/${encodePath(path)}`, send, 'append');
    return JSON.parse(await answer.text()) as AppendResult;
  }

  /** The records of a file, oldest first: all of them (`at` null) or as the file was at that time. */
  read(path: string, at: TemporalPoint | null = null): AsyncIterable<StoredRecord> {
    return this.stream(`/files/${encodePath(path)}${atQuery(at)}`);
  }

  /** Every file's records as of one instant, file by file. */
  snapshot(at: TemporalPoint): AsyncIterable<StoredRecord> {
    return this.stream(`/snapshot${atQuery(at)}`);
  }

  /** The files whose path starts with `prefix`. */
  async list(prefix = ''): Promise<FileInfo[]> {
    const response = await this.call(
      `/files?prefix=${encodeURIComponent(prefix)}`,
      (url) => this.fetch(url, { method: 'GET' }),
      'read',
    );
    return ((await response.json()) as { files: FileInfo[] }).files;
  }

  private async *stream(pathAndQuery: string): AsyncGenerator<StoredRecord> {
    const init = { method: 'GET', headers: { accept: STORED_RECORDS_CONTENT_TYPE } };
    const response = await this.call(pathAndQuery, (url) => this.fetch(url, init), 'read');
    const reader = new StoredRecordReader(this.maxFrameBytes);
    // Node's fetch body is an async iterable of chunks (the DOM typing leaves that out).
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
      yield* reader.push(chunk);
    reader.end();
  }

  private fetch(url: string, init: RequestInit): Promise<Response> {
    return fetch(url, { ...init, signal: AbortSignal.timeout(this.requestTimeoutMs) });
  }

  /** One call, tried on each replica in turn from the preferred one. */
  private async call<T extends PostAnswer>(
    pathAndQuery: string,
    send: (url: string) => Promise<T>,
    kind: 'append' | 'read',
  ): Promise<T> {
    const failures: string[] = [];
    for (let tried = 0; tried < this.urls.length; tried++) {
      const index = (this.preferred + tried) % this.urls.length;
      const url = this.urls[index];
      const response = await this.attempt(url + pathAndQuery, send, kind, failures);
      if (response === null) continue;
      this.preferred = index;
      return response;
    }
    throw new FileStoreUnavailableError(`no file store replica answered: ${failures.join('; ')}`);
  }

  /** The response, or null (the failure noted) when the next replica should be tried. */
  private async attempt<T extends PostAnswer>(
    url: string,
    send: (url: string) => Promise<T>,
    kind: 'append' | 'read',
    failures: string[],
  ): Promise<T | null> {
    let response: T;
    try {
      response = await send(url);
    } catch (error) {
      const code = causeCode(error);
      if (kind === 'append' && !NOT_SENT_CODES.has(code))
        throw new AppendOutcomeUnknownError(
          `append to ${url}: ${code}: the answer was lost, it may have been applied`,
        );
      failures.push(`${url}: ${code}`);
      return null;
    }
    if (response.status < 400) return response;
    const message = await errorMessage(response);
    if (response.status < 500) throw new FileStoreRequestError(message, response.status);
    // 503 is the one answer a replica gives for an append it did not order; any other 5xx may follow the ordering.
    if (kind === 'append' && response.status !== 503)
      throw new AppendOutcomeUnknownError(`append to ${url}: ${response.status} ${message}`);
    failures.push(`${url}: ${response.status} ${message}`);
    return null;
  }
}

/** The path for the URL, checked first: a `..` segment would otherwise be resolved away by URL parsing. */
function encodePath(path: string): string {
  return validateFilePath(path).split('/').map(encodeURIComponent).join('/');
}

function atQuery(at: TemporalPoint | null): string {
  return at === null ? '' : `?at=${formatTimeNs(at.timeNs)}&clock=${at.clock}`;
}

function causeCode(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  // node:http fails with the system error itself, fetch with a TypeError whose cause it is.
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

async function errorMessage(response: PostAnswer): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
}

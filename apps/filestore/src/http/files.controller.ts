import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import {
  FileStoreRequestError,
  parseClock,
  parseTimeNs,
  STORED_RECORDS_CONTENT_TYPE,
  NDJSON_CONTENT_TYPE,
  validateFilePath,
  type AppendResult,
  type StoredRecord,
} from '@gridcloud/filestore';
import { FILESTORE_SETTINGS_TOKEN } from '../config/filestore-config.module';
import type { FileStoreSettings } from '../config/filestore-settings';
import { ReplicaService } from '../store/replica.service';
import { encodedAppendOf, readBody } from './append-body';
import { FileStoreHttpErrorFilter } from './http-error.filter';
import { prefetchFirst, streamRecords, type ReadFormat } from './record-stream';

type Query = Record<string, unknown>;
type Request = IncomingMessage & { path: string; query: Query };

const FILES_PREFIX = '/files/';

/**
 * The file store's HTTP API: append a batch to a file, read a file (as of a time or whole), a snapshot of every file
 * as of one instant, and the list of files. Thin: parse and check the request, call the store, stream the answer.
 */
@Controller()
@UseFilters(FileStoreHttpErrorFilter)
export class FilesController {
  constructor(
    @Inject(ReplicaService) private readonly replica: ReplicaService,
    @Inject(FILESTORE_SETTINGS_TOKEN) private readonly settings: FileStoreSettings,
  ) {}

  @Post('files/*path')
  @HttpCode(201)
  async append(@Req() req: Request): Promise<AppendResult> {
    const path = filePathOf(req);
    const body = await readBody(req, this.settings.maxBodyBytes);
    const time = singleValue(req.query, 'userTime') ?? headerValue(req, 'x-user-time');
    const append = encodedAppendOf(req.headers['content-type'], body, time, this.settings);
    const result = await this.replica.store.appendBatch(path, append.batch);
    const c = this.replica.counters;
    c.appends++;
    c.appendedRecords += append.records;
    c.appendedBytes += append.dataBytes;
    return result;
  }

  @Get('files')
  async list(@Req() req: Request): Promise<{ files: unknown }> {
    const prefix = singleValue(req.query, 'prefix') ?? '';
    return { files: await this.replica.store.list(prefix) };
  }

  @Get('files/*path')
  async read(@Req() req: Request, @Res() res: ServerResponse): Promise<void> {
    const path = filePathOf(req);
    const atText = singleValue(req.query, 'at');
    const at = atText === undefined ? null : { timeNs: parseTimeNs('at', atText), clock: clockOf(req.query) };
    if (atText === undefined) clockOf(req.query);
    await this.send(this.replica.store.read(path, at), req, res);
  }

  @Get('snapshot')
  async snapshot(@Req() req: Request, @Res() res: ServerResponse): Promise<void> {
    const atText = singleValue(req.query, 'at');
    if (atText === undefined)
      throw new FileStoreRequestError(
        'at is required: the snapshot instant (ISO-8601, or an integer with its unit)',
      );
    const at = { timeNs: parseTimeNs('at', atText), clock: clockOf(req.query) };
    await this.send(this.replica.store.snapshot(at), req, res);
  }

  private async send(records: AsyncIterable<StoredRecord>, req: Request, res: ServerResponse): Promise<void> {
    const started = await prefetchFirst(records);
    const format: ReadFormat = (req.headers.accept ?? '').includes(STORED_RECORDS_CONTENT_TYPE)
      ? 'binary'
      : 'ndjson';
    res.statusCode = 200;
    res.setHeader('content-type', format === 'binary' ? STORED_RECORDS_CONTENT_TYPE : NDJSON_CONTENT_TYPE);
    this.replica.counters.reads++;
    this.replica.counters.readRecords += await streamRecords(
      started,
      res,
      format,
      this.settings.streamChunkBytes,
    );
  }
}

/** The file's path from the URL (percent-decoded), checked by the store's rules (no `..`, no empty segment, ...). */
function filePathOf(req: Request): string {
  const encoded = req.path.slice(FILES_PREFIX.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    throw new FileStoreRequestError(`path: '${encoded.slice(0, 200)}' is not valid percent-encoding`);
  }
  return validateFilePath(decoded);
}

function clockOf(query: Query): 'user' | 'server' {
  return parseClock(singleValue(query, 'clock'));
}

function singleValue(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new FileStoreRequestError(`${name} is given more than once`);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

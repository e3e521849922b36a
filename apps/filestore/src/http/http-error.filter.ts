import type { ServerResponse } from 'node:http';
import {
  Catch,
  HttpException,
  Inject,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { FileStoreError, FileStoreRequestError } from '@gridcloud/filestore';
import { ReplicaService } from '../store/replica.service';

/**
 * Answers every failure of the file store's routes as JSON `{statusCode, error, message}`: a refused request
 * (FileStoreRequestError, a path the store's rules refuse) with its 4xx and the message naming what was wrong,
 * Nest's own HTTP errors as they are, and anything else as 500, logged. 503 is kept for "this replica did not take
 * the request", which a client may retry on another replica.
 */
@Catch()
export class FileStoreHttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('FilesController');

  constructor(@Inject(ReplicaService) private readonly replica: ReplicaService) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const { status, message } = this.describe(error);
    if (status < 500) this.replica.counters.refused++;
    else this.logger.error(message);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A refused body may be partly unread: closing the connection spares the server reading the rest.
    if (status === 413) res.setHeader('connection', 'close');
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ statusCode: status, error: errorName(status), message }));
  }

  private describe(error: unknown): { status: number; message: string } {
    if (error instanceof FileStoreRequestError) return { status: error.status, message: error.message };
    if (error instanceof HttpException) return { status: error.getStatus(), message: error.message };
    if (error instanceof FileStoreError)
      return { status: STATUS_OF_CODE[error.code] ?? 500, message: error.message };
    return {
      status: 500,
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/**
 * The store's refusals by code. 503 only where the append was certainly not ordered (overloaded, not serving), so
 * the client may send it to another replica; 'too-few-replicas' is ordered but short of copies: a 500.
 */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  'bad-path': 400,
  'bad-record': 400,
  overloaded: 503,
  closed: 503,
  'catch-up-failed': 503,
  'not-member': 503,
};

function errorName(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    404: 'Not Found',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return names[status] ?? 'Error';
}

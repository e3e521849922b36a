import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { Subscription } from 'rxjs';
import { ReplayRequestError } from '../errors/replay-request-error';
import { ReplayJobs } from './replay-jobs.service';

/**
 * The Replay panel's socket.io messages, on the same server as the live feed (and behind its token check):
 * `replay:span`, `replay:start {fromMs, toMs}`, `replay:results {jobId, bus}` are answered with the value or
 * `{error}`; every change of one of this dashboard's jobs is pushed to every browser as `replay:job`.
 */
@WebSocketGateway({ serveClient: true })
export class ReplayGateway implements OnGatewayInit, OnGatewayConnection, OnApplicationShutdown {
  @WebSocketServer() server!: Server;
  private subscription: Subscription | undefined;
  readonly counters = { refused: 0 };

  constructor(@Inject(ReplayJobs) private readonly replay: ReplayJobs) {}

  afterInit(server: Server): void {
    this.subscription = this.replay.changes$.subscribe((job) => server.emit('replay:job', job));
  }

  handleConnection(socket: Socket): void {
    socket.emit('replay:jobs', { unavailable: this.replay.unavailable ?? null, jobs: this.replay.list() });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  @SubscribeMessage('replay:span')
  onSpan(): Promise<unknown> {
    return this.answer(async () => ({ span: (await this.replay.span()) ?? null }));
  }

  @SubscribeMessage('replay:start')
  onStart(@MessageBody() body: unknown): Promise<unknown> {
    return this.answer(async () => ({ job: await this.replay.start(body) }));
  }

  @SubscribeMessage('replay:results')
  onResults(@MessageBody() body: unknown): Promise<unknown> {
    return this.answer(async () => ({ results: await this.replay.results(body) }));
  }

  /** A refused request, or Redis/InfluxDB failing, is an `{error}` answer for the page; never a dropped socket. */
  private async answer(run: () => Promise<unknown>): Promise<unknown> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ReplayRequestError) this.counters.refused += 1;
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

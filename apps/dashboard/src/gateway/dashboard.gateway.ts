import { timingSafeEqual } from 'node:crypto';
import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { Subscription } from 'rxjs';
import { DASHBOARD_OPTIONS } from '../config/dashboard-config.module';
import type { DashboardOptions } from '../config/dashboard-options';
import { DashboardLive, type DashboardStatus } from '../live/dashboard-live.service';
import type { GridFrame } from '../live/grid-frame';
import { areaFrame } from './area-frame';
import { FrameOutbox, type OutboxEffect } from './frame-outbox';
import { parseWatchRequest, WatchRequestError, type WatchRequest } from './watch-request';

type Kind = 'frame' | 'status';

interface Client {
  readonly socket: Socket;
  readonly outbox: FrameOutbox<Kind>;
  watch: WatchRequest;
}

/**
 * The browsers' socket.io endpoint. A browser gets the network picture on connecting, then frames (the latest
 * estimate, for its area's room) and statuses through its own bounded FrameOutbox: each message is acknowledged,
 * and a browser that falls behind gets only the latest of each kind (drops counted). `watch` chooses the area and
 * the plotted buses and answers with their history since the browser's last slot, so a reconnect resumes its plots.
 */
@WebSocketGateway({ serveClient: true })
export class DashboardGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown
{
  @WebSocketServer() server!: Server;
  private readonly clients = new Map<string, Client>();
  private readonly subscriptions: Subscription[] = [];
  readonly counters = { connections: 0, refused: 0, badRequests: 0 };

  constructor(
    @Inject(DASHBOARD_OPTIONS) private readonly options: DashboardOptions,
    @Inject(DashboardLive) private readonly live: DashboardLive,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      const refusal = this.refusal(socket);
      if (refusal === undefined) return next();
      this.counters.refused += 1;
      next(new Error(refusal));
    });
    this.subscriptions.push(this.live.frames$.subscribe((f) => this.broadcastFrame(f)));
    this.subscriptions.push(this.live.status$.subscribe((s) => this.broadcastStatus(s)));
  }

  handleConnection(socket: Socket): void {
    const client = {
      socket,
      outbox: new FrameOutbox<Kind>(this.options.settings.maxFramesInFlight),
      watch: { area: 'all' as const, buses: [], sinceSlot: null },
    };
    this.clients.set(socket.id, client);
    this.counters.connections += 1;
    void socket.join('area:all');
    socket.emit('network', this.live.picture);
    this.offer(client, 'status', this.statusFor(client, this.live.status()));
    const latest = this.live.latestFrame;
    if (latest !== undefined) this.offer(client, 'frame', areaFrame(latest, 'all', this.live.busAreas));
  }

  handleDisconnect(socket: Socket): void {
    this.clients.delete(socket.id);
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  @SubscribeMessage('watch')
  onWatch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): unknown {
    const client = this.clients.get(socket.id);
    if (client === undefined) return { error: 'not connected' };
    let watch: WatchRequest;
    try {
      watch = parseWatchRequest(body, this.live.picture.buses.length, Math.max(1, this.live.areas));
    } catch (error) {
      if (!(error instanceof WatchRequestError)) throw error;
      this.counters.badRequests += 1;
      return { error: error.message };
    }
    void socket.leave(roomOf(client.watch.area));
    void socket.join(roomOf(watch.area));
    client.watch = watch;
    return { history: this.live.history.series(watch.buses, watch.sinceSlot) };
  }

  stats(): Record<string, unknown> {
    let [sent, dropped] = [0, 0];
    for (const c of this.clients.values())
      [sent, dropped] = [sent + c.outbox.counters.sent, dropped + c.outbox.counters.dropped];
    return { clients: this.clients.size, ...this.counters, framesSent: sent, framesDropped: dropped };
  }

  private broadcastFrame(frame: GridFrame): void {
    const busArea = this.live.busAreas;
    const byArea = new Map<number | 'all', unknown>();
    for (const client of this.clients.values()) {
      const area = client.watch.area;
      if (!byArea.has(area)) byArea.set(area, areaFrame(frame, area, busArea));
      this.offer(client, 'frame', byArea.get(area));
    }
  }

  private broadcastStatus(status: DashboardStatus): void {
    for (const client of this.clients.values()) this.offer(client, 'status', this.statusFor(client, status));
  }

  /** The status with this browser's own delivery figures, so a slow page can show what it missed. */
  private statusFor(client: Client, status: DashboardStatus): unknown {
    return { ...status, delivery: { ...client.outbox.counters } };
  }

  private offer(client: Client, kind: Kind, payload: unknown): void {
    this.carryOut(client, client.outbox.offer(kind, payload));
  }

  private carryOut(client: Client, effect: OutboxEffect<Kind>): void {
    if (effect === undefined) return;
    client.socket.emit(effect.send, effect.payload, () => this.carryOut(client, client.outbox.ack()));
  }

  /** Why a connection is refused, or undefined to accept it. */
  private refusal(socket: Socket): string | undefined {
    const expected = this.options.settings.dashboardToken;
    if (expected !== undefined) {
      const given = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (typeof given !== 'string' || !sameToken(given, expected))
        return 'unauthorized: a valid dashboard token is required';
    }
    if (this.clients.size >= this.options.settings.maxClients)
      return `too many browsers: at most ${this.options.settings.maxClients} (--max-clients)`;
    return undefined;
  }
}

function roomOf(area: number | 'all'): string {
  return `area:${area}`;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

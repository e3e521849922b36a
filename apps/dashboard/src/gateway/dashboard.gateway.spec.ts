import 'reflect-metadata';
import path from 'node:path';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeAreaResult, type AreaResult } from '@gridcloud/estimation';
import { AppModule } from '../app.module';
import { parseDashboardOptions } from '../config/dashboard-options';
import { DashboardLive } from '../live/dashboard-live.service';
import { DashboardGateway } from './dashboard.gateway';

const QUIET: LoggerService = { log() {}, warn() {}, error() {} };
const CASE14 = path.resolve('data/cases/case14.m');
const TOKEN = 'T0ken';
const BUSES = 14;

/** One area covering all of case14, with voltages that name their slot, so a frame shows which estimate it is. */
function result(slot: number): Uint8Array {
  const r: AreaResult = {
    slot,
    timeSec: slot / 30,
    area: 0,
    areaCount: 1,
    busCount: BUSES,
    catalogVersion: 1,
    buses: Int32Array.from({ length: BUSES }, (_, b) => b),
    own: new Uint8Array(BUSES).fill(1),
    vRe: Float64Array.from({ length: BUSES }, (_, b) => 1 + slot * 1e-4 + b * 1e-3),
    vIm: Float64Array.from({ length: BUSES }, (_, b) => -b * 1e-2),
    unobservable: new Int32Array(0),
    removedIdcode: new Uint16Array(0),
    removedChannel: new Uint16Array(0),
    openBranches: Int32Array.of(6),
    cost: 3,
    degreesOfFreedom: 10,
    badDataRemains: false,
    measurementsUsed: 20,
    computeMs: 0.1,
  };
  return encodeAreaResult(r);
}

const apps: INestApplication[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const app of apps.splice(0)) await app.close();
});

async function serve(
  extra: string[],
): Promise<{ live: DashboardLive; gateway: DashboardGateway; url: string }> {
  const argv = ['--case', CASE14, '--http-port', '0', '--frame-interval-ms', '10', ...extra];
  const options = parseDashboardOptions(argv, {});
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(options)] }).compile();
  const app = moduleRef.createNestApplication({ logger: QUIET });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { live: app.get(DashboardLive), gateway: app.get(DashboardGateway), url };
}

function connect(url: string, token?: string, autoAck = true): Socket {
  const socket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
  });
  sockets.push(socket);
  if (autoAck) {
    socket.on('frame', (_f: unknown, ack: () => void) => ack());
    socket.on('status', (_s: unknown, ack: () => void) => ack());
  }
  return socket;
}

function until(test: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (test()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('DashboardGateway over a real socket.io connection', () => {
  it('refuses a browser without the token and serves one with it the network and the estimates', async () => {
    const { live, url } = await serve(['--dashboard-token', TOKEN]);
    const refused = connect(url);
    const error = await new Promise<Error>((resolve) => refused.on('connect_error', resolve));
    expect(error.message).toContain('unauthorized');

    const client = connect(url, TOKEN);
    const network = await new Promise<{ buses: unknown[] }>((resolve) => client.on('network', resolve));
    expect(network.buses).toHaveLength(BUSES);
    const frames: { slot: number; vm: number[]; openBranches: number[] }[] = [];
    client.on('frame', (f: (typeof frames)[number]) => frames.push(f));
    live.onAreaResult(result(100));
    await until(() => frames.length > 0, 'a frame');
    expect(frames[0].slot).toBe(100);
    expect(frames[0].vm[3]).toBeCloseTo(Math.hypot(1 + 100e-4 + 3e-3, -3e-2), 12);
    expect(frames[0].openBranches).toEqual([6]);
  });

  it('gives a browser that does not acknowledge only the latest frame, counting the ones it skipped', async () => {
    const { live, gateway, url } = await serve(['--max-frames-in-flight', '1']);
    const slow = connect(url, undefined, false);
    const acks: (() => void)[] = [];
    let acking = false;
    const take = (ack: () => void): void => void (acking ? ack() : acks.push(ack));
    const slots: number[] = [];
    slow.on('frame', (f: { slot: number }, ack: () => void) => [slots.push(f.slot), take(ack)]);
    slow.on('status', (_s: unknown, ack: () => void) => take(ack));
    await new Promise((resolve) => slow.on('network', resolve));
    // The window is taken by the first status until the page acknowledges it; every frame meanwhile waits.
    for (let slot = 1; slot <= 20; slot += 1) {
      live.onAreaResult(result(slot));
      await until(() => live.latestFrame?.slot === slot, `frame ${slot} published`);
    }
    expect(slots).toEqual([]);
    // 19 frames replaced while waiting (a status replaced on a slow run adds to the count).
    expect(gateway.stats().framesDropped).toBeGreaterThanOrEqual(19);
    acking = true;
    acks.splice(0).forEach((a) => a());
    await until(() => slots.length === 1, 'the latest frame');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(slots).toEqual([20]);
  });

  it('answers a reconnecting browser with the history of its buses since its last slot', async () => {
    const { live, url } = await serve([]);
    for (let slot = 1; slot <= 5; slot += 1) {
      live.onAreaResult(result(slot));
      await until(() => live.latestFrame?.slot === slot, `frame ${slot} published`);
    }
    const client = connect(url);
    await new Promise((resolve) => client.on('network', resolve));
    const reply = (await client.emitWithAck('watch', { area: 'all', buses: [2, 7], sinceSlot: 2 })) as {
      history: { slots: number[]; buses: { bus: number; vm: number[] }[] };
    };
    expect(reply.history.slots).toEqual([3, 4, 5]);
    expect(reply.history.buses.map((b) => b.bus)).toEqual([2, 7]);
    expect(reply.history.buses[1].vm[0]).toBeCloseTo(Math.hypot(1 + 3e-4 + 7e-3, -7e-2), 12);
    const bad = (await client.emitWithAck('watch', { area: 'all', buses: [99], sinceSlot: null })) as {
      error: string;
    };
    expect(bad.error).toContain('bus index 99');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { View, type ProcessId } from '../protocol';
import { DuplicateGroupError } from './errors/duplicate-group-error';
import { HandlerError } from './errors/handler-error';
import { UndecodablePayloadError } from './errors/undecodable-payload-error';
import { UnknownHandlerError } from './errors/unknown-handler-error';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { Group } from './group';
import { encodeGroupCall } from './group-payload';
import { VsyncProcess } from './vsync-process';

const UPDATE = 1;
const alice: ProcessId = { address: '127.0.0.1:7001', incarnation: 3 };
const groups: Group[] = [];

function group(name = 'g'): Group {
  const g = new Group(name);
  groups.push(g);
  return g;
}

function errorsOf(g: Group): Error[] {
  const errors: Error[] = [];
  g.onError((error) => errors.push(error));
  return errors;
}

const delivery = (payload: Uint8Array) => ({
  group: 'g',
  viewId: 4,
  sender: alice,
  ordering: 'total' as const,
  queryId: 0,
  payload,
});

afterEach(async () => {
  await Promise.all(groups.splice(0).map((g) => g.close()));
});

describe('Group', () => {
  it('calls the registered handler with the sent arguments and exposes sender and view during the call', () => {
    const g = group();
    const seen: unknown[] = [];
    g.handle(UPDATE, (name: string, value: number) => seen.push(name, value, g.delivery));
    g.deliver(delivery(encodeGroupCall(UPDATE, ['Harry', 20.75])));
    expect(seen).toEqual(['Harry', 20.75, { sender: alice, viewId: 4, ordering: 'total' }]);
    expect(g.delivery).toBeUndefined();
  });

  it('gives each delivery its own context, the same object however often a handler asks', () => {
    const g = group();
    const contexts: unknown[] = [];
    g.handle(UPDATE, () => contexts.push(g.delivery, g.delivery));
    const bob: ProcessId = { address: '127.0.0.1:7002', incarnation: 1 };
    g.deliver(delivery(encodeGroupCall(UPDATE, [])));
    g.deliver({ ...delivery(encodeGroupCall(UPDATE, [])), sender: bob, viewId: 5, ordering: 'fifo' });
    expect(contexts[0]).toBe(contexts[1]);
    expect(contexts[2]).toBe(contexts[3]);
    expect(contexts[0]).toEqual({ sender: alice, viewId: 4, ordering: 'total' });
    expect(contexts[2]).toEqual({ sender: bob, viewId: 5, ordering: 'fifo' });
    expect(g.delivery).toBeUndefined();
  });

  it('hands byte arguments as views into the message only to a handler registered with bytesAsViews', () => {
    const g = group();
    const got = new Map<number, Uint8Array>();
    g.handle(UPDATE, (bytes: Uint8Array) => got.set(UPDATE, bytes), { bytesAsViews: true });
    g.handle(2, (bytes: Uint8Array) => got.set(2, bytes));
    const viewed = encodeGroupCall(UPDATE, [new Uint8Array([1, 2, 3])]);
    const copied = encodeGroupCall(2, [new Uint8Array([1, 2, 3])]);
    g.deliver(delivery(viewed));
    g.deliver(delivery(copied));
    viewed.fill(0);
    copied.fill(0);
    expect([...got.get(UPDATE)!]).toEqual([0, 0, 0]);
    expect([...got.get(2)!]).toEqual([1, 2, 3]);
    expect(() => g.handle(3, () => undefined, { bytesAsViews: 'yes' as unknown as boolean })).toThrow(
      /bytesAsViews/,
    );
  });

  it('reports unknown handlers, undecodable payloads and throwing handlers as typed errors and keeps delivering', async () => {
    const g = group();
    const errors = errorsOf(g);
    const seen: number[] = [];
    g.handle(UPDATE, (value: number) => {
      if (value === 0) throw new Error('boom');
      seen.push(value);
    });
    g.handle(2, async () => Promise.reject(new Error('async boom')));
    g.deliver(delivery(encodeGroupCall(99, [])));
    g.deliver(delivery(new Uint8Array([1, 2])));
    g.deliver(delivery(encodeGroupCall(UPDATE, [0])));
    g.deliver(delivery(encodeGroupCall(2, [])));
    g.deliver(delivery(encodeGroupCall(UPDATE, [7])));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([7]);
    expect(errors.map((e) => e.constructor)).toEqual([
      UnknownHandlerError,
      UndecodablePayloadError,
      HandlerError,
      HandlerError,
    ]);
    expect(errors[0].message).toContain('call g.handle(99');
    expect(errors[2].message).toContain('boom');
  });

  it('passes a handler exactly the arguments sent, however many, and never calls it for a malformed call', () => {
    const g = group();
    const errors = errorsOf(g);
    const calls: unknown[][] = [];
    g.handle(UPDATE, (...args: unknown[]) => calls.push(args));
    const sent = [[], ['a'], [1, undefined], [1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4, 5, 'six']];
    for (const args of sent) g.deliver(delivery(encodeGroupCall(UPDATE, args)));
    expect(calls).toEqual(sent);
    // A plain call whose third argument claims more bytes than there are: refused before the handler runs.
    const bad = encodeGroupCall(UPDATE, [1, true, 'abc']);
    g.deliver(delivery(bad.subarray(0, bad.length - 1)));
    expect(calls).toHaveLength(sent.length);
    expect(errors.map((e) => e.constructor)).toEqual([UndecodablePayloadError]);
  });

  it('hands each installed view to the view listeners and keeps the latest', () => {
    const g = group();
    const views: number[] = [];
    g.onView((v) => views.push(v.id));
    const view = new View(5, [alice], [alice]);
    g.installView(view);
    expect(views).toEqual([5]);
    expect(g.view).toBe(view);
    expect(g.view?.rankOf(alice)).toBe(0);
  });

  it('validates names, handler ids and options at construction', () => {
    expect(() => new Group('')).toThrow(VsyncOptionsError);
    expect(() => group().handle(-1, () => undefined)).toThrow(/handlerId/);
    const g = group('twice');
    g.handle(UPDATE, () => undefined);
    expect(() => g.handle(UPDATE, () => undefined)).toThrow(/already registered/);
    const shared = new VsyncProcess();
    expect(() => new Group('x', { process: shared, bindPort: 7000 })).toThrow(/not both/);
    new Group('same', { process: shared });
    expect(() => new Group('same', { process: shared })).toThrow(DuplicateGroupError);
  });

  it('rejects arguments that cannot be serialized', async () => {
    const g = group();
    await expect(g.send(UPDATE, () => 1)).rejects.toThrow(/cannot encode the call to handler 1/);
  });
});

describe('Group error listeners', () => {
  it('a throwing onError listener does not stop the next listener or the delivery', () => {
    const g = group('listeners');
    const errors: Error[] = [];
    g.onError(() => {
      throw new Error('listener bug');
    });
    g.onError((error) => errors.push(error));
    expect(() => g.deliver(delivery(encodeGroupCall(42, [])))).not.toThrow();
    expect(errors.map((e) => e.name)).toEqual(['UnknownHandlerError']);
  });
});

import { describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import { MIN_READ_BYTES, READ_SLAB_BYTES, ReadSlab, readIntoSlab } from './read-slab';

/** Runs the read cycle a socket runs: ask for room, fill `bytes` of it, report them. */
function read(slab: ReadSlab, bytes: number, fill: number): Uint8Array {
  const room = typeof slab.onread.buffer === 'function' ? slab.onread.buffer() : slab.onread.buffer;
  expect(room.length).toBeGreaterThanOrEqual(Math.min(bytes, MIN_READ_BYTES));
  room.fill(fill, 0, bytes);
  slab.onread.callback(bytes, room);
  return room;
}

describe('ReadSlab', () => {
  it('lands reads one after another in one slab and hands each chunk on in order', () => {
    const chunks: Buffer[] = [];
    const slab = new ReadSlab((chunk) => chunks.push(chunk));
    read(slab, 100, 1);
    read(slab, 5_000, 2);
    read(slab, 1, 3);
    expect(chunks.map((c) => c.length)).toEqual([100, 5_000, 1]);
    expect(chunks.map((c) => c[0])).toEqual([1, 2, 3]);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(1);
    expect(chunks[1].byteOffset).toBe(chunks[0].byteOffset + 100);
    expect(chunks[2].byteOffset).toBe(chunks[1].byteOffset + 5_000);
  });

  it('starts a new slab when less than a whole read is left, leaving the chunks given out as they were', () => {
    const chunks: Buffer[] = [];
    const slab = new ReadSlab((chunk) => chunks.push(chunk));
    const first = READ_SLAB_BYTES - MIN_READ_BYTES + 1;
    read(slab, first, 7);
    const room = read(slab, 10, 8);
    expect(room.length).toBe(READ_SLAB_BYTES);
    expect(chunks[1].buffer).not.toBe(chunks[0].buffer);
    expect(chunks[1].byteOffset).toBe(0);
    expect(chunks[0].length).toBe(first);
    expect(chunks[0].every((b) => b === 7)).toBe(true);
  });

  it('leaves a socket without a handle to read as a stream, resumed', () => {
    const socket = new Socket();
    socket.pause();
    expect(readIntoSlab(socket, new ReadSlab(() => undefined).onread)).toBeUndefined();
    expect(socket.isPaused()).toBe(false);
    socket.destroy();
  });
});

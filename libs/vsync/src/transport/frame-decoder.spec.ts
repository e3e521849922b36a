import { describe, expect, it } from 'vitest';
import { FrameError } from './errors/frame-error';
import { FrameDecoder } from './frame-decoder';
import {
  encodeDataFrame,
  encodeHelloFrame,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  type OutgoingMessage,
} from './frame-format';

/** A data frame as one buffer, as it appears on the wire. */
const dataFrame = (messages: OutgoingMessage[]): Buffer => Buffer.concat(encodeDataFrame(messages));

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function header(magic: number, version: number, flags: number, length: number): Buffer {
  const frame = Buffer.alloc(FRAME_HEADER_BYTES);
  frame.writeUInt16BE(magic, 0);
  frame.writeUInt8(version, 2);
  frame.writeUInt8(flags, 3);
  frame.writeUInt32BE(length, 4);
  return frame;
}

function rejection(decoder: FrameDecoder, chunk: Buffer): FrameError {
  try {
    decoder.push(chunk);
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
  throw new Error('expected a FrameError');
}

describe('FrameDecoder', () => {
  it('decodes a hello and a batch split at every possible byte boundary', () => {
    const stream = Buffer.concat([
      encodeHelloFrame('10.0.0.1:7000'),
      dataFrame([bytes(1, 2, 3), bytes(), bytes(9)]),
    ]);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const decoder = new FrameDecoder(1024);
      const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      // Decoding stops after the hello until the connection has acted on it.
      frames.push(...decoder.resume());
      const plain = frames.map((frame) =>
        frame.kind === 'data' ? { kind: 'data', messages: frame.messages.map((m) => [...m]) } : frame,
      );
      expect(plain).toEqual([
        { kind: 'hello', address: '10.0.0.1:7000' },
        { kind: 'data', messages: [[1, 2, 3], [], [9]] },
      ]);
    }
  });

  it('decodes frames fed in chunks of every size, a large frame in many small chunks included', () => {
    const big = new Uint8Array(50_000).map((_, i) => i % 251);
    const stream = Buffer.concat([
      dataFrame([bytes(1), big]),
      dataFrame([bytes(2)]),
      dataFrame([big, bytes(3)]),
    ]);
    for (const size of [1, 7, 8, 9, 1000, 4096, 65_536]) {
      const decoder = new FrameDecoder(1024 * 1024);
      const frames = [];
      for (let at = 0; at < stream.length; at += size)
        frames.push(...decoder.push(stream.subarray(at, at + size)));
      const lengths = frames.map((f) => (f.kind === 'data' ? f.messages.map((m) => m.length) : []));
      expect(lengths).toEqual([[1, 50_000], [1], [50_000, 1]]);
      const last = frames[2];
      expect(last.kind === 'data' && Buffer.from(last.messages[0]).equals(Buffer.from(big))).toBe(true);
    }
  });

  it('copies only a frame that spans chunks: the frames after it in the chunk are read where they lie', () => {
    const stream = Buffer.concat([
      dataFrame([bytes(1, 2, 3, 4)]),
      dataFrame([bytes(5)]),
      dataFrame([bytes(6, 7)]),
    ]);
    const cut = 5;
    // Chunks with buffers of their own, as a socket read gives (not slices of Buffer's shared pool).
    const chunk = (part: Buffer): Buffer => Buffer.from(new Uint8Array(part).buffer);
    const second = chunk(stream.subarray(cut));
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(chunk(stream.subarray(0, cut)))).toEqual([]);
    const frames = decoder.push(second);
    const messages = frames.map((f) => (f.kind === 'data' ? f.messages[0] : new Uint8Array()));
    expect(messages.map((m) => [...m])).toEqual([[1, 2, 3, 4], [5], [6, 7]]);
    expect(messages[0].buffer).not.toBe(second.buffer);
    expect(messages[1].buffer).toBe(second.buffer);
    expect(messages[2].buffer).toBe(second.buffer);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('copies nothing when the chunks of a frame lie one after another in memory (reads into one slab)', () => {
    const frame = dataFrame([bytes(1, 2, 3, 4, 5, 6, 7, 8)]);
    const slab = Buffer.from(new Uint8Array(frame.length + 16).buffer, 16);
    frame.copy(slab);
    const decoder = new FrameDecoder(1024);
    // The header arrives in two reads, then the body in three, each read landing right after the one before.
    const cuts = [0, 3, FRAME_HEADER_BYTES + 2, FRAME_HEADER_BYTES + 6, FRAME_HEADER_BYTES + 9, frame.length];
    const frames = cuts.slice(1).flatMap((end, i) => decoder.push(slab.subarray(cuts[i], end)));
    expect(frames).toHaveLength(1);
    const message = frames[0].kind === 'data' ? frames[0].messages[0] : new Uint8Array();
    expect([...message]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // A view into the slab where the bytes were read, not a joined copy.
    expect(message.buffer).toBe(slab.buffer);
    expect(message.byteOffset).toBe(slab.byteOffset + frame.length - 8);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('joins chunks from different buffers, even when they follow one another in one of them', () => {
    const stream = Buffer.concat([dataFrame([bytes(1, 2, 3)]), dataFrame([bytes(4)])]);
    const own = (part: Buffer): Buffer => Buffer.from(new Uint8Array(part).buffer);
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(own(stream.subarray(0, 10)))).toEqual([]);
    // The rest in one buffer of its own: adjacent offsets in another buffer say nothing about memory order.
    const frames = decoder.push(own(stream.subarray(10)));
    const messages = frames.map((f) => (f.kind === 'data' ? [...f.messages[0]] : []));
    expect(messages).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects an oversized or garbage header even when it arrives a byte at a time after a partial frame', () => {
    const decoder = new FrameDecoder(1024);
    const frame = dataFrame([bytes(1, 2, 3)]);
    decoder.push(frame.subarray(0, 5));
    decoder.push(frame.subarray(5));
    const oversize = header(0x5653, FRAME_VERSION, 0, 2000);
    decoder.push(oversize.subarray(0, 3));
    expect(rejection(decoder, oversize.subarray(3)).kind).toBe('oversize');
    const garbage = new FrameDecoder(1024);
    garbage.push(frame.subarray(0, frame.length - 1));
    expect(rejection(garbage, Buffer.from([frame[frame.length - 1], 0x47])).kind).toBe('badMagic');
  });

  it('writes large parts as chunks of their own and copies small ones, the same bytes either way', () => {
    const big = new Uint8Array(10_000).fill(5);
    const chunks = encodeDataFrame([bytes(1), [bytes(2, 2), big], bytes(3)]);
    expect(chunks.length).toBe(3);
    expect(chunks[1].buffer).toBe(big.buffer);
    const frames = new FrameDecoder(1 << 20).push(Buffer.concat(chunks));
    const only = frames[0];
    expect(only.kind === 'data' && only.messages.map((m) => m.length)).toEqual([1, 10_002, 1]);
  });

  it('rejects a stream that does not start with the magic at its first byte', () => {
    const error = rejection(new FrameDecoder(1024), Buffer.from('G'));
    expect(error.kind).toBe('badMagic');
  });

  it('rejects another frame version', () => {
    expect(rejection(new FrameDecoder(1024), header(0x5653, 9, 0, 4)).kind).toBe('wrongVersion');
  });

  it('rejects a frame announcing more than maxFrameBytes before its body arrives', () => {
    const error = rejection(new FrameDecoder(1024), header(0x5653, FRAME_VERSION, 0, 1024));
    expect(error.kind).toBe('oversize');
    expect(error.message).toContain('maxFrameBytes 1024');
  });

  it('rejects unknown flags, empty batches and a message overrunning its frame', () => {
    expect(rejection(new FrameDecoder(1024), header(0x5653, FRAME_VERSION, 0x80, 0)).kind).toBe('malformed');
    expect(rejection(new FrameDecoder(1024), header(0x5653, FRAME_VERSION, 0, 0)).kind).toBe('malformed');
    const overrun = Buffer.concat([header(0x5653, FRAME_VERSION, 0, 6), Buffer.from([0, 0, 0, 9, 1, 2])]);
    expect(rejection(new FrameDecoder(1024), overrun).kind).toBe('malformed');
  });
});

import { describe, expect, it } from 'vitest';
import { FrameError } from './errors/frame-error';
import { FrameDecoder } from './frame-decoder';
import { encodeDataFrame, encodeHelloFrame, FRAME_HEADER_BYTES } from './frame-format';

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
      encodeDataFrame([bytes(1, 2, 3), bytes(), bytes(9)]),
    ]);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const decoder = new FrameDecoder(1024);
      const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      const plain = frames.map((frame) =>
        frame.kind === 'data' ? { kind: 'data', messages: frame.messages.map((m) => [...m]) } : frame,
      );
      expect(plain).toEqual([
        { kind: 'hello', address: '10.0.0.1:7000' },
        { kind: 'data', messages: [[1, 2, 3], [], [9]] },
      ]);
    }
  });

  it('rejects a stream that does not start with the magic at its first byte', () => {
    const error = rejection(new FrameDecoder(1024), Buffer.from('G'));
    expect(error.kind).toBe('badMagic');
  });

  it('rejects another frame version', () => {
    expect(rejection(new FrameDecoder(1024), header(0x5653, 2, 0, 4)).kind).toBe('wrongVersion');
  });

  it('rejects a frame announcing more than maxFrameBytes before its body arrives', () => {
    const error = rejection(new FrameDecoder(1024), header(0x5653, 1, 0, 1024));
    expect(error.kind).toBe('oversize');
    expect(error.message).toContain('maxFrameBytes 1024');
  });

  it('rejects unknown flags, empty batches and a message overrunning its frame', () => {
    expect(rejection(new FrameDecoder(1024), header(0x5653, 1, 0x80, 0)).kind).toBe('malformed');
    expect(rejection(new FrameDecoder(1024), header(0x5653, 1, 0, 0)).kind).toBe('malformed');
    const overrun = Buffer.concat([header(0x5653, 1, 0, 6), Buffer.from([0, 0, 0, 9, 1, 2])]);
    expect(rejection(new FrameDecoder(1024), overrun).kind).toBe('malformed');
  });
});

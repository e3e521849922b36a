import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spoolCheckpoint, type SpooledCheckpoint } from './checkpoint-spool';
import { sendCheckpoint } from './state-sender';
import { StateReceiver } from './state-receiver';
import { StateTransferError } from './state-transfer-error';
import { streamKey } from './stream-format';

const SECRET = 'a group secret of at least thirty-two bytes';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let spooled = 0;

async function spool(content: Buffer): Promise<SpooledCheckpoint> {
  const dir = await mkdtemp(join(tmpdir(), 'vsync-stream-spec-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const chunks = Array.from({ length: Math.ceil(content.length / 1000) }, (_, i) =>
    content.subarray(i * 1000, i * 1000 + 1000),
  );
  // Half of each kind: a memory spool and a file spool must stream alike.
  spooled += 1;
  return spoolCheckpoint(chunks, {
    dir,
    name: 'spec',
    maxCheckpointBytes: 1 << 30,
    memorySpoolBytes: spooled % 2 === 0 ? 1 << 30 : 0,
  });
}

async function receiver(
  key: Buffer | null,
  rejected: Error[] = [],
): Promise<{ r: StateReceiver; endpoint: string }> {
  const r = new StateReceiver({
    bindHost: '127.0.0.1',
    advertiseHost: '127.0.0.1',
    key,
    handshakeTimeoutMs: 2_000,
    receiveQueueBytes: 4096,
    maxCheckpointBytes: 1 << 30,
    onRejected: (e) => rejected.push(e),
  });
  cleanups.push(() => r.close());
  return { r, endpoint: await r.listen() };
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

const send = (s: SpooledCheckpoint, endpoint: string, key: Buffer | null) =>
  sendCheckpoint({
    group: 'g',
    viewId: 7,
    spool: s,
    endpoint,
    key,
    handshakeTimeoutMs: 2_000,
    chunkBytes: 4096,
  });

describe('the state stream', () => {
  it('carries a checkpoint with backpressure and checks it against its digest', async () => {
    const content = randomBytes(300_000);
    const s = await spool(content);
    const { r, endpoint } = await receiver(streamKey(SECRET, 'g'));
    const incoming = r.expect('g', 7);
    const [received] = await Promise.all([collect(incoming), send(s, endpoint, streamKey(SECRET, 'g'))]);
    expect(received.equals(content)).toBe(true);
  });

  it('refuses a sender without the group key, and a joiner without it refuses nothing it cannot check', async () => {
    const s = await spool(randomBytes(10_000));
    const rejected: Error[] = [];
    const { r, endpoint } = await receiver(streamKey(SECRET, 'g'), rejected);
    r.expect('g', 7);
    await expect(
      send(s, endpoint, streamKey('another secret of at least thirty-two bytes', 'g')),
    ).rejects.toThrow();
    await expect(send(s, endpoint, null)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rejected.map((e) => e.message)).toEqual([
      expect.stringMatching(/not authenticated with this group key/),
      expect.stringMatching(/not authenticated with this group key/),
    ]);
  });

  it('refuses to send to a joiner that cannot prove the key', async () => {
    const s = await spool(randomBytes(10_000));
    const { r, endpoint } = await receiver(streamKey('another secret of at least thirty-two bytes', 'g'));
    r.expect('g', 7);
    // The joiner's answer is made with its own key: the sender finds it unauthenticated and sends no state.
    await expect(send(s, endpoint, streamKey(SECRET, 'g'))).rejects.toBeInstanceOf(StateTransferError);
  });

  it('resumes from the offset reached when another sender with the same checkpoint takes over', async () => {
    const content = randomBytes(8 * 1024 * 1024);
    const [first, second] = [await spool(content), await spool(content)];
    const { r, endpoint } = await receiver(null);
    const iterator = r.expect('g', 7)[Symbol.asyncIterator]();
    const cut = send(first, endpoint, null).then(
      () => 'finished',
      () => 'cut off',
    );
    // The joiner takes one chunk; the first sender is then stalled by backpressure when the second one takes over.
    const parts = [Buffer.from((await iterator.next()).value as Uint8Array)];
    const resumed = send(second, endpoint, null);
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      parts.push(Buffer.from(next.value));
    await resumed;
    // The first sender may have handed everything to its socket before it was replaced: the bytes the joiner had
    // not read were dropped with that connection, and the offset it answered made the second sender send them.
    expect(['finished', 'cut off']).toContain(await cut);
    expect(Buffer.concat(parts).equals(content)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { crcCcitt } from '../codec/crc';
import { encodeFrame } from '../codec/encode';
import type { Frame } from '../codec/frame-types';
import type { FrameReject } from '../codec/reject';
import { C37ConfigError } from '../errors/config-error';
import {
  concat,
  encodedCommand,
  encodedConfig,
  encodedData,
  encodedHeader,
  sampleConfig,
} from '../testing/sample-stream';
import { ConfigBudget, ConfigStore, configWireBytes } from './config-store';
import { StreamDecoder } from './stream-decoder';

interface Seen {
  data: { idcode: number; fracsec: number; analog: number }[];
  frames: Frame[];
  rejects: FrameReject[];
}

function decoder(maxFrameBytes = 4096, configs?: ConfigStore): { d: StreamDecoder; seen: Seen } {
  const seen: Seen = { data: [], frames: [], rejects: [] };
  const d = new StreamDecoder(
    { maxFrameBytes, configs },
    {
      onData: (v) => seen.data.push({ idcode: v.idcode, fracsec: v.fracsec, analog: v.analogs[0] }),
      onFrame: (f) => seen.frames.push(f),
      onReject: (r) => seen.rejects.push(r),
    },
  );
  return { d, seen };
}

const session = concat([
  encodedHeader,
  encodedConfig,
  encodedCommand,
  encodedData(0),
  encodedData(1),
  encodedData(2),
]);

describe('StreamDecoder', () => {
  it('decodes a session and gives the same result whatever the chunking', () => {
    const whole = decoder();
    whole.d.push(session);
    whole.d.end();
    expect(whole.seen.frames.map((f) => f.kind)).toEqual(['header', 'cfg2', 'cmd']);
    expect(whole.seen.data.map((x) => x.analog)).toEqual([0, 1, 2]);
    expect(whole.seen.rejects).toEqual([]);
    for (const size of [1, 2, 3, 7, 50]) {
      const chunked = decoder();
      for (let i = 0; i < session.length; i += size) chunked.d.push(session.subarray(i, i + size));
      chunked.d.end();
      expect(chunked.seen).toEqual(whole.seen);
      expect(chunked.d.counters.frames).toEqual(whole.d.counters.frames);
    }
  });

  it('resynchronises after garbage and reports it once as bad-sync', () => {
    const { d, seen } = decoder();
    const garbage = Uint8Array.from({ length: 37 }, (_, i) => (i * 7 + 1) & 0x7f);
    d.push(concat([encodedConfig, garbage, encodedData(5), Uint8Array.of(0xaa, 0xff, 0x01), encodedData(6)]));
    d.end();
    expect(seen.data.map((x) => x.analog)).toEqual([5, 6]);
    expect(seen.rejects.map((r) => [r.reason, r.bytes])).toEqual([
      ['bad-sync', 37],
      ['bad-sync', 3],
    ]);
    expect(d.counters.rejected['bad-sync']).toBe(2);
  });

  it('rejects a CRC error and still finds the next frame', () => {
    const { d, seen } = decoder();
    const bad = encodedData(1).slice();
    bad[30] ^= 0xff;
    d.push(concat([encodedConfig, bad, encodedData(2)]));
    expect(seen.rejects.map((r) => r.reason)).toEqual(['crc']);
    expect(seen.rejects[0]).toMatchObject({ kind: 'data', idcode: 42 });
    expect(seen.data.map((x) => x.analog)).toEqual([2]);
    expect(d.counters.rejected.crc).toBe(1);
  });

  it('finds a real frame hidden behind a false SYNC whose FRAMESIZE swallowed it', () => {
    const { d, seen } = decoder();
    // A false SYNC claiming 200 bytes, followed by two real frames within those 200 bytes.
    const fake = Uint8Array.of(0xaa, 0x01, 0x00, 200);
    d.push(concat([encodedConfig, fake, encodedData(3), encodedData(4), new Uint8Array(200)]));
    d.end();
    expect(seen.data.map((x) => x.analog)).toEqual([3, 4]);
    expect(seen.rejects.map((r) => r.reason)).toEqual(['crc', 'bad-sync']);
  });

  it('rejects a data frame that arrives before its configuration, then accepts later ones', () => {
    const { d, seen } = decoder();
    d.push(concat([encodedData(0), encodedConfig, encodedData(1)]));
    expect(seen.rejects).toHaveLength(1);
    expect(seen.rejects[0]).toMatchObject({ reason: 'no-config', idcode: 42, kind: 'data' });
    expect(seen.data.map((x) => x.analog)).toEqual([1]);
  });

  it('rejects FRAMESIZE above maxFrameBytes without buffering it', () => {
    const { d, seen } = decoder(256);
    d.push(concat([Uint8Array.of(0xaa, 0x31, 0xff, 0xf0), new Uint8Array(10).fill(1), encodedHeader]));
    expect(seen.rejects[0]).toMatchObject({ reason: 'oversized' });
    expect(seen.frames.map((f) => f.kind)).toEqual(['header']);
    expect(d.bufferedBytes).toBe(0);
  });

  it('rejects a FRAMESIZE below the minimum and a data frame whose size disagrees with its config', () => {
    const { d, seen } = decoder();
    const short = encodedData(1).slice(0, 40);
    short[2] = 0;
    short[3] = 40;
    const crc = crcCcitt(short, 0, 38);
    short[38] = crc >> 8;
    short[39] = crc & 0xff;
    d.push(concat([encodedConfig, Uint8Array.of(0xaa, 0x01, 0x00, 0x04), short, encodedData(9)]));
    expect(seen.rejects.map((r) => r.reason)).toEqual(['size-mismatch', 'size-mismatch']);
    expect(seen.data.map((x) => x.analog)).toEqual([9]);
  });

  it('reports a frame cut short at the end of the stream, a datagram or a gap as truncated', () => {
    const { d, seen } = decoder();
    d.push(encodedConfig);
    d.push(encodedData(1).subarray(0, 20));
    d.discontinuity();
    d.pushDatagram(encodedData(2).subarray(0, 30));
    d.push(encodedData(3).subarray(0, 10));
    d.end();
    expect(seen.rejects.map((r) => [r.reason, r.bytes])).toEqual([
      ['truncated', 20],
      ['truncated', 30],
      ['truncated', 10],
    ]);
    expect(d.bufferedBytes).toBe(0);
  });

  it('never buffers more than maxFrameBytes, even when fed a long run of garbage', () => {
    const { d, seen } = decoder(64);
    for (let i = 0; i < 1000; i += 1) {
      d.push(Uint8Array.of(0xaa, 0x01, 0x00, 0x3f, i & 0xff, 0));
      expect(d.bufferedBytes).toBeLessThanOrEqual(64);
    }
    d.end();
    expect(seen.frames).toEqual([]);
    expect(d.counters.bytesIn).toBe(6000);
  });

  it('keeps configurations per IDCODE within maxConfigs and reports config-limit', () => {
    const store = new ConfigStore({ maxConfigs: 1 });
    const { d, seen } = decoder(4096, store);
    d.push(encodedConfig);
    const other = { ...sampleConfig, idcode: 99 };
    d.push(concat([encodedConfig, encodeFrame(other)]));
    expect(seen.rejects.map((r) => r.reason)).toEqual(['config-limit']);
    expect(store.ids()).toEqual([42]);
  });

  it('keeps configurations within maxConfigBytes: a replacement may grow within it, a new IDCODE past it is refused', () => {
    const small = { ...sampleConfig, idcode: 7 };
    const store = new ConfigStore({
      maxConfigs: 100,
      maxConfigBytes: configWireBytes(sampleConfig) + configWireBytes(small),
    });
    const { d, seen } = decoder(4096, store);
    d.push(concat([encodedConfig, encodeFrame(small), encodeFrame({ ...sampleConfig, idcode: 8 })]));
    expect(seen.rejects.map((r) => [r.reason, r.idcode])).toEqual([['config-limit', 8]]);
    expect(seen.rejects[0].message).toMatch(/maxConfigBytes/);
    expect(store.ids()).toEqual([42, 7]);
    expect(store.bytes).toBe(store.maxConfigBytes);
    d.push(encodedConfig);
    expect(store.bytes).toBe(store.maxConfigBytes);
    store.delete(7);
    expect(store.bytes).toBe(configWireBytes(sampleConfig));
  });

  it('shares a budget between stores: one store cannot hold what the others hold, and a cleared store gives it back', () => {
    const budget = new ConfigBudget(configWireBytes(sampleConfig) * 2);
    const stores = [0, 1, 2].map(() => new ConfigStore({ maxConfigs: 10, budget }));
    expect(stores.map((s, i) => s.put({ ...sampleConfig, idcode: i + 1 }))).toEqual([true, true, false]);
    expect(stores[2].refusal({ ...sampleConfig, idcode: 3 })).toMatch(/shared budget/);
    stores[0].clear();
    expect(budget.usedBytes).toBe(configWireBytes(sampleConfig));
    expect(stores[2].put({ ...sampleConfig, idcode: 3 })).toBe(true);
  });

  it('counts a configuration as the bytes of its CFG-2 frame', () => {
    expect(configWireBytes(sampleConfig)).toBe(encodedConfig.length);
  });

  it('refuses invalid bounds at construction with a clear message', () => {
    expect(() => new StreamDecoder({ maxFrameBytes: 70000 })).toThrow(C37ConfigError);
    expect(() => new StreamDecoder({ maxFrameBytes: 8 })).toThrow(
      /maxFrameBytes must be an integer in \[16, 65535\]/,
    );
    expect(() => new ConfigStore({ maxConfigs: 0 })).toThrow(/maxConfigs/);
  });
});

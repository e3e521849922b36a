import { describe, expect, it } from 'vitest';
import { decodeFrameOrThrow } from '../codec/decode';
import { commandFrame, encodeFrame } from '../codec/encode';
import type { CommandName, Frame } from '../codec/frame-types';
import { StreamDecoder } from '../stream/stream-decoder';
import { sampleConfig3 } from '../testing/config3-sample';
import { concat, sampleConfig } from '../testing/sample-stream';
import { PmuSession, type PmuIdentity, type PmuSessionEffect } from './pmu-session';

const now = { soc: 1_800_000_000, fracsec: 1234 };
const cmd = (name: CommandName, idcode = 42): Uint8Array => encodeFrame(commandFrame(idcode, name, now));
const sent = (effects: PmuSessionEffect[]) =>
  effects.flatMap((e) => (e.type === 'send' ? [decodeFrameOrThrow(e.bytes)] : []));
const other = { ...sampleConfig, idcode: 43 };
const streams = new Map<number, PmuIdentity>([
  [42, { cfg2: sampleConfig, header: 'sample' }],
  [43, { cfg2: other }],
]);
const session = (): PmuSession => new PmuSession((id) => streams.get(id));

describe('PmuSession', () => {
  it('answers header, CFG-1 and CFG-2 requests stamped with the time passed in', () => {
    const replies = sent(
      session().step({ type: 'received', bytes: concat([cmd('header'), cmd('cfg1'), cmd('cfg2')]), now }),
    );
    expect(replies.map((f) => f.kind)).toEqual(['header', 'cfg1', 'cfg2']);
    expect(replies.every((f) => f.soc === now.soc && f.fracsec === now.fracsec)).toBe(true);
    expect(replies[2]).toMatchObject({ pmus: sampleConfig.pmus, dataRate: sampleConfig.dataRate });
  });

  it('serves several IDCODEs on one connection, each turned on and off by its own commands', () => {
    const s = session();
    const effects = s.step({ type: 'received', bytes: concat([cmd('cfg2', 43), cmd('start', 43)]), now });
    expect(sent(effects).map((f) => f.idcode)).toEqual([43]);
    expect(effects.filter((e) => e.type === 'subscribe')).toEqual([{ type: 'subscribe', idcode: 43 }]);
    s.step({ type: 'received', bytes: cmd('start', 42), now });
    expect([...s.streaming]).toEqual([43, 42]);
    expect(s.step({ type: 'received', bytes: cmd('stop', 43), now })).toContainEqual({
      type: 'unsubscribe',
      idcode: 43,
    });
    expect(s.close()).toEqual([{ type: 'unsubscribe', idcode: 42 }]);
  });

  it('refuses commands for an IDCODE not served, CFG-3 from a stream without one, and frames that are not commands', () => {
    const effects = session().step({
      type: 'received',
      bytes: concat([cmd('cfg2', 99), cmd('cfg3'), encodeFrame(sampleConfig)]),
      now,
    });
    const refused = effects.flatMap((e) => (e.type === 'refused' ? [e.message] : []));
    expect(refused).toEqual([
      expect.stringMatching(/IDCODE 99, which is not served here/),
      expect.stringMatching(/CFG-3 request for IDCODE 42, which has no CFG-3/),
      expect.stringMatching(/a cfg2 frame for IDCODE 42; a PDC sends commands/),
    ]);
    expect(sent(effects)).toEqual([]);
  });

  it('sends a CFG-3 too large for one frame as a series the stream decoder puts back together', () => {
    const cfg3 = sampleConfig3({ idcode: 42, pmuCount: 600 });
    const s = new PmuSession(() => ({ cfg2: sampleConfig, cfg3 }));
    const frames = s
      .step({ type: 'received', bytes: cmd('cfg3'), now })
      .flatMap((e) => (e.type === 'send' ? [e.bytes] : []));
    expect(frames.length).toBeGreaterThan(1);
    const got: Frame[] = [];
    const decoder = new StreamDecoder(
      { maxFrameBytes: 65_535 },
      { onFrame: (f) => got.push(f), onReject: (r) => expect.fail(r.message) },
    );
    for (const f of frames) decoder.push(f);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'cfg3', idcode: 42, pmus: { length: 600 } });
  });

  it('reports garbage from the PDC as rejects and keeps serving', () => {
    const effects = session().step({
      type: 'received',
      bytes: concat([Uint8Array.of(1, 2, 3), cmd('cfg2')]),
      now,
    });
    expect(effects[0]).toMatchObject({ type: 'reject', reject: { reason: 'bad-sync', bytes: 3 } });
    expect(sent(effects).map((f) => f.kind)).toEqual(['cfg2']);
  });
});

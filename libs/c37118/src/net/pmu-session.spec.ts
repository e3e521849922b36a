import { describe, expect, it } from 'vitest';
import { decodeFrameOrThrow } from '../codec/decode';
import { commandFrame, encodeFrame } from '../codec/encode';
import type { CommandName } from '../codec/frame-types';
import { concat, encodedData, sampleConfig } from '../testing/sample-stream';
import { PmuSession, type PmuSessionEffect } from './pmu-session';

const now = { soc: 1_800_000_000, fracsec: 1234 };
const cmd = (name: CommandName): Uint8Array => encodeFrame(commandFrame(42, name, now));
const sent = (effects: PmuSessionEffect[]) =>
  effects.flatMap((e) => (e.type === 'send' ? [decodeFrameOrThrow(e.bytes)] : []));

describe('PmuSession', () => {
  it('answers header, CFG-1 and CFG-2 requests stamped with the time passed in', () => {
    const s = new PmuSession({ cfg2: sampleConfig, header: 'sample' }, 1024);
    const replies = sent(
      s.step({ type: 'received', bytes: concat([cmd('header'), cmd('cfg1'), cmd('cfg2')]), now }),
    );
    expect(replies.map((f) => f.kind)).toEqual(['header', 'cfg1', 'cfg2']);
    expect(replies.every((f) => f.soc === now.soc && f.fracsec === now.fracsec)).toBe(true);
    expect(replies[2]).toMatchObject({ pmus: sampleConfig.pmus, dataRate: sampleConfig.dataRate });
  });

  it('streams data frames only between start and stop', () => {
    const s = new PmuSession({ cfg2: sampleConfig }, 1024);
    const frame = encodedData(1);
    expect(s.step({ type: 'data', frame })).toEqual([]);
    expect(s.step({ type: 'received', bytes: cmd('start'), now })).toEqual([{ type: 'command', command: 2 }]);
    expect(s.step({ type: 'data', frame })).toEqual([{ type: 'send', bytes: frame }]);
    s.step({ type: 'received', bytes: cmd('stop'), now });
    expect(s.step({ type: 'data', frame })).toEqual([]);
  });

  it('reports garbage from the PDC as rejects and keeps serving', () => {
    const s = new PmuSession({ cfg2: sampleConfig }, 1024);
    const effects = s.step({ type: 'received', bytes: concat([Uint8Array.of(1, 2, 3), cmd('cfg2')]), now });
    expect(effects[0]).toMatchObject({ type: 'reject', reject: { reason: 'bad-sync', bytes: 3 } });
    expect(sent(effects).map((f) => f.kind)).toEqual(['cfg2']);
  });
});

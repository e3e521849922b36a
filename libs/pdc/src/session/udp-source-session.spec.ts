import { describe, expect, it } from 'vitest';
import { UdpSourceSession, type UdpSourceEffect } from './udp-source-session';

const options = { configTimeoutMs: 500, maxConfigRequests: 2, dataTimeoutMs: 1000, maxStreams: 2 };
const sends = (effects: UdpSourceEffect[]) => effects.filter((e) => e.type === 'send');

describe('UdpSourceSession', () => {
  it('asks for CFG-2 of a stream whose data arrives undescribed, once per configTimeoutMs, up to maxConfigRequests', () => {
    const s = new UdpSourceSession(options);
    expect(s.step({ type: 'no-config', nowMs: 0, idcode: 7 })).toEqual([
      { type: 'send', command: 'cfg2', idcode: 7 },
    ]);
    expect(s.step({ type: 'no-config', nowMs: 100, idcode: 7 })).toEqual([]);
    expect(sends(s.step({ type: 'no-config', nowMs: 500, idcode: 7 }))).toHaveLength(1);
    expect(s.step({ type: 'no-config', nowMs: 5000, idcode: 7 })).toEqual([]);
    // A CFG-2 resets the count: a later change may be asked about again.
    s.step({ type: 'config', nowMs: 6000, idcode: 7 });
    expect(sends(s.step({ type: 'config-mismatch', nowMs: 6001, idcode: 7 }))).toHaveLength(1);
    expect(s.configRequests).toBe(3);
  });

  it('tracks the requests of at most maxStreams streams of one sender', () => {
    const s = new UdpSourceSession(options);
    for (const idcode of [1, 2, 3]) s.step({ type: 'no-config', nowMs: 0, idcode });
    expect(s.configRequests).toBe(2);
  });

  it('streams from the first data frame, goes silent after dataTimeoutMs and streams again when data resumes', () => {
    const s = new UdpSourceSession(options);
    expect(s.state).toBe('awaiting-config');
    s.step({ type: 'tick', nowMs: 10_000 });
    expect(s.state).toBe('awaiting-config');
    expect(s.step({ type: 'data', nowMs: 10_000, idcode: 7, configChangePending: false })).toEqual([
      { type: 'state', from: 'awaiting-config', to: 'streaming', why: 'first data frame' },
    ]);
    expect(s.step({ type: 'tick', nowMs: 10_999 })).toEqual([]);
    expect(s.step({ type: 'tick', nowMs: 11_000 })).toEqual([
      {
        type: 'state',
        from: 'streaming',
        to: 'silent',
        why: 'no data frame for 1000 ms (dataTimeoutMs 1000)',
      },
    ]);
    expect(s.silences).toBe(1);
    s.step({ type: 'data', nowMs: 12_000, idcode: 7, configChangePending: true });
    expect(s.state).toBe('streaming');
    expect(s.configRequests).toBe(1);
  });

  it('refuses bounds out of range, naming them', () => {
    expect(() => new UdpSourceSession({ ...options, dataTimeoutMs: 0 })).toThrow(/dataTimeoutMs/);
  });
});

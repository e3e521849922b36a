import { describe, expect, it } from 'vitest';
import { PdcSession } from './pdc-session';
import { DEFAULT_SESSION_OPTIONS } from './session-options';
import type { SessionEffect, SessionEvent } from './session-types';

const constantJitter = { next: (): number => 0.5 };

function session(): PdcSession {
  return new PdcSession(
    {
      ...DEFAULT_SESSION_OPTIONS,
      idcode: 7,
      connectTimeoutMs: 1000,
      configTimeoutMs: 500,
      maxConfigRequests: 2,
      dataTimeoutMs: 2000,
      reconnectMinMs: 100,
      reconnectMaxMs: 1000,
    },
    constantJitter,
  );
}

/** Effects without state-change notes, for readable scenarios. */
function act(s: PdcSession, e: SessionEvent): SessionEffect[] {
  return s.step(e).filter((x) => x.type !== 'state');
}

describe('PdcSession', () => {
  it('asks for CFG-3 when configured, again for CFG-3 while streaming, and for CFG-2 once a CFG-3 request went unanswered', () => {
    const make = () =>
      new PdcSession(
        { ...DEFAULT_SESSION_OPTIONS, idcode: 7, configTimeoutMs: 500, configFrame: 'cfg3' },
        constantJitter,
      );
    const sends = (effects: SessionEffect[]) => effects.filter((x) => x.type === 'send');
    const answered = make();
    answered.step({ type: 'start', nowMs: 0 });
    expect(sends(answered.step({ type: 'connected', nowMs: 0 }))).toEqual([
      { type: 'send', command: 'cfg3', idcode: 7 },
    ]);
    answered.step({ type: 'config', nowMs: 10, cfgcnt: [1] });
    expect(sends(answered.step({ type: 'data', nowMs: 20, configChangePending: true }))).toEqual([
      { type: 'send', command: 'cfg3', idcode: 7 },
    ]);
    const silent = make();
    silent.step({ type: 'start', nowMs: 0 });
    silent.step({ type: 'connected', nowMs: 0 });
    expect(sends(silent.step({ type: 'tick', nowMs: 500 }))).toEqual([
      { type: 'send', command: 'cfg2', idcode: 7 },
    ]);
    const bad = { ...DEFAULT_SESSION_OPTIONS, idcode: 7, configFrame: 'cfg1' as 'cfg2' };
    expect(() => new PdcSession(bad, constantJitter)).toThrow(/configFrame must be 'cfg2' or 'cfg3'/);
  });

  it('connects, asks for CFG-2, turns the stream on and reports the first configuration', () => {
    const s = session();
    expect(act(s, { type: 'start', nowMs: 0 })).toEqual([{ type: 'connect' }, { type: 'timer', atMs: 1000 }]);
    expect(act(s, { type: 'connected', nowMs: 10 })).toEqual([
      { type: 'send', command: 'cfg2', idcode: 7 },
      { type: 'timer', atMs: 510 },
    ]);
    expect(act(s, { type: 'config', nowMs: 20, cfgcnt: [1] })).toEqual([
      { type: 'config-changed', cfgcnt: [1], previous: undefined },
      { type: 'send', command: 'start', idcode: 7 },
      { type: 'timer', atMs: 2020 },
    ]);
    expect(s.state).toBe('streaming');
  });

  it('asks again for CFG-2 when unanswered, waiting twice as long, then gives up, closes and backs off', () => {
    const s = session();
    s.step({ type: 'start', nowMs: 0 });
    s.step({ type: 'connected', nowMs: 0 });
    expect(act(s, { type: 'tick', nowMs: 500 })).toEqual([
      { type: 'send', command: 'cfg2', idcode: 7 },
      { type: 'timer', atMs: 1500 },
    ]);
    expect(act(s, { type: 'tick', nowMs: 1499 })).toEqual([{ type: 'timer', atMs: 1500 }]);
    const effects = act(s, { type: 'tick', nowMs: 1500 });
    expect(effects[0]).toMatchObject({ type: 'close', reason: 'no CFG-2 after 2 requests', failed: true });
    expect(effects[1]).toEqual({ type: 'timer', atMs: 1575 });
    expect(s.state).toBe('backoff');
    expect(act(s, { type: 'tick', nowMs: 1575 })).toEqual([
      { type: 'connect' },
      { type: 'timer', atMs: 2575 },
    ]);
  });

  it('a slow peer answering the third request in time keeps its connection: waits of 1x, 2x, 4x, at most 8x', () => {
    const s = new PdcSession(
      { ...DEFAULT_SESSION_OPTIONS, idcode: 7, configTimeoutMs: 100, maxConfigRequests: 6 },
      constantJitter,
    );
    s.step({ type: 'start', nowMs: 0 });
    s.step({ type: 'connected', nowMs: 0 });
    const timers: number[] = [];
    let now = 100;
    for (let k = 0; k < 4; k += 1) {
      const timer = act(s, { type: 'tick', nowMs: now }).find((e) => e.type === 'timer');
      timers.push(timer!.type === 'timer' ? timer!.atMs - now : -1);
      now += timers[k];
    }
    expect(timers).toEqual([200, 400, 800, 800]);
    act(s, { type: 'config', nowMs: now - 1, cfgcnt: [1] });
    expect(s.state).toBe('streaming');
  });

  it('re-requests CFG-2 on a config-change-pending bit (once per configTimeoutMs) and announces a new CFGCNT', () => {
    const s = session();
    s.step({ type: 'start', nowMs: 0 });
    s.step({ type: 'connected', nowMs: 0 });
    s.step({ type: 'config', nowMs: 0, cfgcnt: [1] });
    expect(act(s, { type: 'data', nowMs: 100, configChangePending: true })).toEqual([
      { type: 'send', command: 'cfg2', idcode: 7 },
    ]);
    expect(act(s, { type: 'data', nowMs: 133, configChangePending: true })).toEqual([]);
    expect(act(s, { type: 'config', nowMs: 150, cfgcnt: [2] })).toEqual([
      { type: 'config-changed', cfgcnt: [2], previous: [1] },
    ]);
    expect(act(s, { type: 'config', nowMs: 160, cfgcnt: [2] })).toEqual([]);
    expect(act(s, { type: 'config-mismatch', nowMs: 1000, message: 'size' })).toEqual([
      { type: 'send', command: 'cfg2', idcode: 7 },
    ]);
  });

  it('closes a silent stream (a peer sending a byte a minute) and backs off exponentially up to the bound', () => {
    const s = session();
    s.step({ type: 'start', nowMs: 0 });
    s.step({ type: 'connected', nowMs: 0 });
    s.step({ type: 'config', nowMs: 0, cfgcnt: [1] });
    s.step({ type: 'data', nowMs: 500, configChangePending: false });
    expect(act(s, { type: 'tick', nowMs: 2000 })).toEqual([{ type: 'timer', atMs: 2500 }]);
    const effects = act(s, { type: 'tick', nowMs: 2500 });
    expect(effects[0]).toMatchObject({ type: 'close' });
    expect(String((effects[0] as { reason: string }).reason)).toMatch(/no data frame for 2000 ms/);
    const delays: number[] = [];
    let now = 2500;
    for (let i = 0; i < 6; i += 1) {
      const timer = s.step({ type: 'tick', nowMs: now + 10_000 });
      now += 10_000;
      const failed = s
        .step({ type: 'disconnected', nowMs: now, error: 'refused' })
        .find((x) => x.type === 'timer');
      delays.push((failed as { atMs: number }).atMs - now);
      expect(timer.some((x) => x.type === 'connect')).toBe(true);
    }
    expect(delays).toEqual([150, 300, 600, 750, 750, 750]);
  });

  it('re-arms its timer when a tick comes before the deadline, so an early timer cannot strand it', () => {
    const s = session();
    s.step({ type: 'start', nowMs: 0 });
    s.step({ type: 'disconnected', nowMs: 10, error: 'ECONNREFUSED' });
    expect(s.state).toBe('backoff');
    expect(act(s, { type: 'tick', nowMs: 84 })).toEqual([{ type: 'timer', atMs: 85 }]);
    expect(act(s, { type: 'tick', nowMs: 85 })).toEqual([{ type: 'connect' }, { type: 'timer', atMs: 1085 }]);
    expect(act(s, { type: 'tick', nowMs: 1084 })).toEqual([{ type: 'timer', atMs: 1085 }]);
    s.step({ type: 'connected', nowMs: 1084 });
    expect(act(s, { type: 'tick', nowMs: 1500 })).toEqual([{ type: 'timer', atMs: 1584 }]);
  });

  it('sends turn-off and closes on stop, then ignores everything', () => {
    const s = session();
    s.step({ type: 'start', nowMs: 0 });
    s.step({ type: 'connected', nowMs: 0 });
    s.step({ type: 'config', nowMs: 0, cfgcnt: [1] });
    expect(act(s, { type: 'stop', nowMs: 5 })).toEqual([
      { type: 'send', command: 'stop', idcode: 7 },
      { type: 'close', reason: 'session stopped', failed: false },
    ]);
    expect(act(s, { type: 'tick', nowMs: 1e9 })).toEqual([]);
    expect(s.state).toBe('stopped');
  });

  it('rejects inconsistent bounds with a message naming them', () => {
    expect(
      () =>
        new PdcSession(
          { ...DEFAULT_SESSION_OPTIONS, idcode: 1, reconnectMinMs: 500, reconnectMaxMs: 100 },
          constantJitter,
        ),
    ).toThrow(/reconnectMaxMs/);
    expect(() => new PdcSession({ ...DEFAULT_SESSION_OPTIONS, idcode: 70000 }, constantJitter)).toThrow(
      /idcode/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../protocol';
import { TransportConfigError } from '../transport';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { resolveProcessOptions } from './process-options';

describe('resolveProcessOptions', () => {
  it('defaults to a loopback, ephemeral-port founder that rejoins after exclusion', () => {
    const resolved = resolveProcessOptions({});
    expect(resolved.transport.bindHost).toBe('127.0.0.1');
    expect(resolved.transport.bindPort).toBe(0);
    expect(resolved.seeds).toBeUndefined();
    expect(resolved.rejoinOnExclusion).toBe(true);
    expect(resolved.incarnation).toBeGreaterThan(1);
  });

  it('keeps the payload bound inside one transport frame', () => {
    const resolved = resolveProcessOptions({ transport: { maxFrameBytes: 64 * 1024 } });
    expect(resolved.core.maxPayloadBytes).toBeLessThan(64 * 1024);
    expect(() =>
      resolveProcessOptions({
        transport: { maxFrameBytes: 64 * 1024 },
        core: { maxPayloadBytes: 64 * 1024 },
      }),
    ).toThrow(/core.maxPayloadBytes.*raise maxFrameBytes/);
  });

  it.each([
    [{ seeds: [] }, VsyncOptionsError, /seeds/],
    [{ seeds: ['localhost'] }, VsyncOptionsError, /host:port/],
    [{ incarnation: 0 }, VsyncOptionsError, /incarnation/],
    [{ rejoinOnExclusion: 'yes' }, VsyncOptionsError, /rejoinOnExclusion/],
    [{ bindPort: -1 }, TransportConfigError, /bindPort/],
    [{ transport: { maxQueuedBytesPerPeer: 10 } }, TransportConfigError, /maxQueuedBytesPerPeer/],
    [{ core: { heartbeatIntervalMs: 500, failureTimeoutMs: 600 } }, ConfigError, /failureTimeoutMs/],
  ] as const)('rejects %j naming the option', (options, type, message) => {
    expect(() => resolveProcessOptions(options as never)).toThrow(type);
    expect(() => resolveProcessOptions(options as never)).toThrow(message);
  });
});
